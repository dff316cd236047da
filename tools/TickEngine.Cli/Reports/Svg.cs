using System.Globalization;
using System.Net;
using System.Text;

namespace TickEngine.Cli.Reports;

/// <summary>
/// Small inline SVG charts for the HTML reports (no script, no external file: a report opens offline and renders
/// the same everywhere). Deterministic text: the same series give the same bytes.
/// </summary>
public static class Svg
{
    private const int W = 720, H = 280, L = 64, R = 16, T = 24, B = 40;
    public static readonly string[] Colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"];

    private static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Lines (or points) of several series over a shared x axis.</summary>
    public static string Lines(string title, string xLabel, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series,
        bool logX = false, Func<double, string>? xTick = null, bool markers = true, int scatterFrom = int.MaxValue, bool includeZero = true)
    {
        var all = series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var sb = Open(title);
        if (all.Count == 0) return Close(sb.Append($"<text x=\"{W / 2}\" y=\"{H / 2}\" text-anchor=\"middle\">no data</text>"));
        double Tx(double x) => logX ? Math.Log10(Math.Max(x, 1e-300)) : x;
        double x0 = all.Min(p => Tx(p.X)), x1 = all.Max(p => Tx(p.X)), y0 = Math.Min(0, all.Min(p => p.Y)), y1 = all.Max(p => p.Y);
        if (x1 == x0) { x0 -= 1; x1 += 1; }
        if (y1 == y0) y1 = y0 + 1;
        double Px(double x) => L + (Tx(x) - x0) / (x1 - x0) * (W - L - R);
        double Py(double y) => H - B - (y - y0) / (y1 - y0) * (H - T - B);
        Axes(sb, xLabel, yLabel, y0, y1, Py);
        var ticks = all.Select(p => p.X).Distinct().OrderBy(x => x).ToList();
        int every = Math.Max(1, ticks.Count / 8);
        for (int k = 0; k < ticks.Count; k += every)
        {
            double x = ticks[k];
            sb.Append($"<text x=\"{F(Px(x))}\" y=\"{H - B + 14}\" font-size=\"10\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xTick?.Invoke(x) ?? F(x))}</text>");
        }
        for (int i = 0; i < series.Count; i++)
        {
            var pts = series[i].Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
            string color = Colors[i % Colors.Length];
            bool scatter = i >= scatterFrom;
            if (pts.Count > 1 && !scatter) sb.Append($"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" points=\"{string.Join(' ', pts.Select(p => $"{F(Px(p.X))},{F(Py(p.Y))}"))}\"/>");
            if (markers || scatter) foreach (var p in pts) sb.Append($"<circle cx=\"{F(Px(p.X))}\" cy=\"{F(Py(p.Y))}\" r=\"2.5\" fill=\"{color}\"/>");
            sb.Append($"<text x=\"{L + 8 + 150 * i}\" y=\"{T - 6}\" font-size=\"11\" fill=\"{color}\">{WebUtility.HtmlEncode(series[i].Name)}</text>");
        }
        return Close(sb);
    }

    /// <summary>Bars for categories, one group of series per category.</summary>
    public static string Bars(string title, string xLabel, string yLabel, IReadOnlyList<string> categories, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        var sb = Open(title);
        var values = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        if (values.Count == 0 || categories.Count == 0) return Close(sb.Append($"<text x=\"{W / 2}\" y=\"{H / 2}\" text-anchor=\"middle\">no data</text>"));
        double y0 = Math.Min(0, values.Min()), y1 = Math.Max(0, values.Max());
        if (y1 == y0) y1 = y0 + 1;
        double Py(double y) => H - B - (y - y0) / (y1 - y0) * (H - T - B);
        Axes(sb, xLabel, yLabel, y0, y1, Py);
        double slot = (double)(W - L - R) / categories.Count, bar = slot * 0.8 / Math.Max(1, series.Count);
        for (int c = 0; c < categories.Count; c++)
        {
            sb.Append($"<text x=\"{F(L + slot * (c + 0.5))}\" y=\"{H - B + 14}\" font-size=\"10\" text-anchor=\"middle\">{WebUtility.HtmlEncode(categories[c])}</text>");
            for (int s = 0; s < series.Count; s++)
            {
                double v = c < series[s].Values.Count ? series[s].Values[c] : double.NaN;
                if (!double.IsFinite(v)) continue;
                double x = L + slot * c + slot * 0.1 + bar * s, top = Py(Math.Max(v, 0)), bottom = Py(Math.Min(v, 0));
                sb.Append($"<rect x=\"{F(x)}\" y=\"{F(top)}\" width=\"{F(bar)}\" height=\"{F(Math.Max(0.5, bottom - top))}\" fill=\"{Colors[s % Colors.Length]}\"/>");
            }
        }
        for (int s = 0; s < series.Count; s++)
            sb.Append($"<text x=\"{L + 8 + 150 * s}\" y=\"{T - 6}\" font-size=\"11\" fill=\"{Colors[s % Colors.Length]}\">{WebUtility.HtmlEncode(series[s].Name)}</text>");
        return Close(sb);
    }

    private static StringBuilder Open(string title) =>
        new StringBuilder($"<figure><figcaption>{WebUtility.HtmlEncode(title)}</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" width=\"{W}\" height=\"{H}\" font-family=\"sans-serif\">");

    private static string Close(StringBuilder sb) => sb.Append("</svg></figure>\n").ToString();

    private static void Axes(StringBuilder sb, string xLabel, string yLabel, double y0, double y1, Func<double, double> py)
    {
        sb.Append($"<line x1=\"{L}\" y1=\"{H - B}\" x2=\"{W - R}\" y2=\"{H - B}\" stroke=\"#444\"/><line x1=\"{L}\" y1=\"{T}\" x2=\"{L}\" y2=\"{H - B}\" stroke=\"#444\"/>");
        for (int i = 0; i <= 4; i++)
        {
            double y = y0 + (y1 - y0) * i / 4;
            sb.Append($"<line x1=\"{L - 4}\" y1=\"{F(py(y))}\" x2=\"{W - R}\" y2=\"{F(py(y))}\" stroke=\"#ddd\"/><text x=\"{L - 6}\" y=\"{F(py(y) + 3)}\" font-size=\"10\" text-anchor=\"end\">{F(y)}</text>");
        }
        if (y0 < 0) sb.Append($"<line x1=\"{L}\" y1=\"{F(py(0))}\" x2=\"{W - R}\" y2=\"{F(py(0))}\" stroke=\"#888\"/>");
        sb.Append($"<text x=\"{(L + W - R) / 2}\" y=\"{H - 6}\" font-size=\"11\" text-anchor=\"middle\">{WebUtility.HtmlEncode(xLabel)}</text>");
        sb.Append($"<text x=\"14\" y=\"{(T + H - B) / 2}\" font-size=\"11\" text-anchor=\"middle\" transform=\"rotate(-90 14 {(T + H - B) / 2})\">{WebUtility.HtmlEncode(yLabel)}</text>");
    }

    /// <summary>The page around a report's sections: plain HTML and CSS, no script.</summary>
    public static string Page(string title, string body) => $$"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>{{WebUtility.HtmlEncode(title)}}</title>
        <style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1000px}table{border-collapse:collapse;margin:8px 0 16px}
        td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:13px}th{background:#f4f4f4}td.l,th.l{text-align:left}
        figure{margin:12px 0}figcaption{font-weight:bold;margin-bottom:4px}.note{color:#555;font-size:13px}</style></head>
        <body>
        {{body}}
        </body></html>

        """;
}
