using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace TickEngine.Cli.Reports;

/// <summary>How a series of a line chart is drawn.</summary>
public enum SeriesStyle : byte
{
    Line,
    /// <summary>A value holds until the next sample (inventory, position): never interpolated between samples.</summary>
    Step,
    /// <summary>Points only (fills over a price line).</summary>
    Points,
}

/// <summary>The x axis of a line chart.</summary>
public enum XAxis : byte
{
    /// <summary>Seconds since the epoch, labelled as UTC dates and times at the span's own scale (minutes, hours, days).</summary>
    Time,
    Linear,
    Log,
}

/// <summary>One series of a line chart: its name, points (x, y) and style.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, SeriesStyle Style = SeriesStyle.Line, string? Color = null);

/// <summary>One series of a bar chart: a value per category, and optionally the label each bar carries (its value otherwise).</summary>
public sealed record BarSeries(string Name, IReadOnlyList<double> Values, IReadOnlyList<string>? Labels = null);

/// <summary>
/// The HTML reports' charts, drawn in the page by uPlot 1.6.32 (MIT, vendored in <c>Reports/Vendor/uplot</c> and
/// inlined with its licence, so a report opens offline): nice ticks, a UTC time axis at the span's own scale, y axes
/// fitted to the data (a price is never drawn from 0), drag to zoom and double-click to reset, a tooltip with every
/// series' value at the cursor, stepped series for holdings, bars labelled with their values. Chosen over Apache
/// ECharts for every report and the coming dashboard: 51 KB against about 1 MB inlined per page, and it draws
/// 100,000 points in tens of milliseconds (perf/results/research/README.md); ECharts' candlesticks and heatmaps are
/// drawn here as uPlot draw hooks where a report needs them. Each chart is a JSON spec in the page (deterministic
/// text: the same data gives the same bytes) that <c>Reports/Vendor/charts.js</c> draws.
/// </summary>
public static class Charts
{
    private static string Resource(string name)
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream(name) ?? throw new InvalidOperationException($"missing embedded resource {name}");
        using var r = new StreamReader(s, Encoding.UTF8);
        return r.ReadToEnd();
    }

    private static readonly Lazy<string> Script = new(() => Resource("uPlot.iife.min.js"));
    private static readonly Lazy<string> Style = new(() => Resource("uPlot.min.css"));
    private static readonly Lazy<string> Licence = new(() => Resource("uPlot.LICENSE"));
    private static readonly Lazy<string> Renderer = new(() => Resource("charts.js"));

    /// <summary>A value as the page needs it: 10 significant digits (the page draws pixels; the tables keep exact figures).</summary>
    private static double Short(double v) => v == 0 ? 0 : double.Parse(v.ToString("G10", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A line chart: the series' x values are joined on one axis (a series has no value where it has no point).</summary>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series, XAxis x = XAxis.Time)
    {
        // Times to the millisecond (seconds with 3 decimals), values to 10 significant digits.
        var clean = series.Select(s => s with
        {
            Points = s.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y) && (x != XAxis.Log || p.X > 0))
                .Select(p => (x == XAxis.Time ? Math.Round(p.X, 3) : Short(p.X), Short(p.Y))).ToList(),
        }).ToList();
        var xs = clean.SelectMany(s => s.Points.Select(p => p.X)).Distinct().Order().ToArray();
        var index = new Dictionary<double, int>(xs.Length);
        for (int i = 0; i < xs.Length; i++) index[xs[i]] = i;
        return Figure(title, w =>
        {
            w.WriteString("kind", "lines");
            w.WriteBoolean("empty", xs.Length == 0);
            Axis(w, "x", xLabel, x switch { XAxis.Time => "time", XAxis.Log => "log", _ => "linear" });
            Axis(w, "y", yLabel, null);
            w.WriteStartArray("xs");
            foreach (var v in xs) w.WriteNumberValue(v);
            w.WriteEndArray();
            w.WriteStartArray("series");
            foreach (var s in clean)
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                w.WriteString("style", s.Style switch { SeriesStyle.Step => "step", SeriesStyle.Points => "points", _ => "line" });
                if (s.Color is { } color) w.WriteString("color", color);
                var values = new double?[xs.Length];
                foreach (var (px, py) in s.Points) values[index[px]] = py; // the last point at an x wins
                w.WriteStartArray("values");
                foreach (var v in values) { if (v is { } d) w.WriteNumberValue(d); else w.WriteNullValue(); }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }

    /// <summary>Grouped bars, one group per category, each bar labelled.</summary>
    public static string Bars(string title, string xLabel, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series) =>
        Figure(title, w =>
        {
            w.WriteString("kind", "bars");
            w.WriteBoolean("empty", categories.Count == 0 || series.All(s => s.Values.All(v => !double.IsFinite(v))));
            Axis(w, "x", xLabel, null);
            Axis(w, "y", yLabel, null);
            w.WriteStartArray("categories");
            foreach (var c in categories) w.WriteStringValue(c);
            w.WriteEndArray();
            w.WriteStartArray("series");
            foreach (var s in series)
            {
                w.WriteStartObject();
                w.WriteString("name", s.Name);
                w.WriteStartArray("values");
                for (int i = 0; i < categories.Count; i++)
                {
                    double v = i < s.Values.Count ? s.Values[i] : double.NaN;
                    if (double.IsFinite(v)) w.WriteNumberValue(Short(v)); else w.WriteNullValue();
                }
                w.WriteEndArray();
                if (s.Labels is { } labels)
                {
                    w.WriteStartArray("labels");
                    for (int i = 0; i < categories.Count; i++) w.WriteStringValue(i < labels.Count ? labels[i] : "");
                    w.WriteEndArray();
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });

    private static void Axis(Utf8JsonWriter w, string name, string label, string? type)
    {
        w.WriteStartObject(name);
        w.WriteString("label", label);
        if (type is not null) w.WriteString("type", type);
        w.WriteEndObject();
    }

    private static string Figure(string title, Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("title", title);
            body(w);
            w.WriteEndObject();
        }
        // Utf8JsonWriter escapes <, > and & (\u003C ...), so the spec cannot close its script element.
        return $"<figure><figcaption>{WebUtility.HtmlEncode(title)}</figcaption><script type=\"application/json\" class=\"te-chart\">{Encoding.UTF8.GetString(stream.ToArray())}</script></figure>\n";
    }

    /// <summary>The page around a report's sections, with uPlot (and its licence) and the chart renderer inlined.</summary>
    public static string Page(string title, string body) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{WebUtility.HtmlEncode(title)}}</title>
        <style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}table{border-collapse:collapse;margin:8px 0 16px}
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}th{background:#f4f4f4}td.l,th.l{text-align:left}
        figure{margin:16px 0}figcaption{font-weight:bold;margin-bottom:4px}.note{color:#555;font-size:13px}
        .te-tip{position:absolute;z-index:10;pointer-events:none;background:rgba(255,255,255,.95);border:1px solid #aaa;padding:4px 6px;font-size:12px;white-space:nowrap}
        {{Style.Value}}</style>
        </head>
        <body>
        {{body}}
        <p class="note">Charts: drag across a chart to zoom, double-click to reset; the legend and the tooltip give the values at the cursor. Drawn by uPlot 1.6.32 (MIT licence below).</p>
        <!-- uPlot 1.6.32, https://github.com/leeoniya/uPlot
        {{Licence.Value.Replace("--", "- -")}}
        -->
        <script>{{Script.Value}}</script>
        <script>{{Renderer.Value}}</script>
        </body></html>

        """;
}
