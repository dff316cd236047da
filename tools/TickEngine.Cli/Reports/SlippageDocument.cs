using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Research;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Reports;

/// <summary>
/// The slippage report as JSON (for machines) and HTML with charts (for people, <see cref="Charts"/>). Both are functions of the
/// data and the parameters only (no wall-clock time in them): the same data gives byte-identical reports.
/// </summary>
public sealed record SlippageDocument(string Exchange, string Symbol, MoneyScale Money, long EveryNs, long LatencyNs, SlippageAnalysis Analysis,
    IReadOnlyList<SlippageRow> Rows, long Events, int DamagedSegments)
{
    private string Size(long size) => FixedDecimal.ToString(size, Money.QuantityScale);
    private static string Side(OrderSide s) => s == OrderSide.Buy ? "buy" : "sell";
    private static double R(double v) => Math.Round(v, 6);
    private string Book => Analysis.SampleBook is { } s ? $"top {s.Depth} levels from L2 samples (no deltas recorded): larger orders show as partial" : "full depth from deltas";

    public string Json()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("exchange", Exchange);
            w.WriteString("symbol", Symbol);
            w.WriteString("first", Analysis.FirstNs == long.MaxValue ? "" : TimeText.FormatIso(Analysis.FirstNs));
            w.WriteString("last", Analysis.LastNs == long.MinValue ? "" : TimeText.FormatIso(Analysis.LastNs));
            w.WriteString("book", Book);
            w.WriteNumber("every_s", EveryNs / 1e9);
            w.WriteNumber("latency_ms", LatencyNs / 1e6);
            w.WriteNumber("events", Events);
            w.WriteNumber("instants_out_of_sync", Analysis.OutOfSync);
            w.WriteNumber("damaged_segments", DamagedSegments);
            w.WriteString("percentiles", "nearest rank over the samples; bp against the mid (positive = cost)");
            w.WriteString("cost_quote", "exact: notional - filled x mid at execution (buy), the reverse for a sell");
            w.WriteStartArray("sizes");
            foreach (var row in Rows)
            {
                w.WriteStartObject();
                w.WriteString("side", Side(row.Side));
                w.WriteString("size", Size(row.Size));
                w.WriteNumber("orders", row.Orders);
                w.WriteNumber("partial", row.Partial);
                w.WriteNumber("mean_bps", R(row.MeanBps));
                w.WriteNumber("p50_bps", R(row.P50Bps));
                w.WriteNumber("p95_bps", R(row.P95Bps));
                w.WriteNumber("p99_bps", R(row.P99Bps));
                w.WriteNumber("max_bps", R(row.MaxBps));
                w.WriteNumber("mean_bps_vs_arrival", R(row.MeanBpsVsArrival));
                w.WriteNumber("p50_bps_vs_arrival", R(row.P50BpsVsArrival));
                w.WriteNumber("p95_bps_vs_arrival", R(row.P95BpsVsArrival));
                w.WriteNumber("p99_bps_vs_arrival", R(row.P99BpsVsArrival));
                w.WriteNumber("max_bps_vs_arrival", R(row.MaxBpsVsArrival));
                w.WriteNumber("beyond_known_depth", row.BeyondKnownDepth);
                w.WriteString("cost_quote_total", Money.ToText(row.CostTotal));
                w.WriteNumber("mean_levels", R(row.MeanLevels));
                w.WriteStartArray("by_hour_utc");
                foreach (var (hour, orders, mean) in row.ByHour)
                {
                    w.WriteStartObject();
                    w.WriteNumber("hour", hour);
                    w.WriteNumber("orders", orders);
                    w.WriteNumber("mean_bps", R(mean));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public string Html()
    {
        var sb = new StringBuilder();
        string title = $"Slippage: {Exchange}/{Symbol}";
        sb.Append($"<h1>{WebUtility.HtmlEncode(title)}</h1>\n");
        sb.Append($"<p class=\"note\">{WebUtility.HtmlEncode(Analysis.FirstNs == long.MaxValue ? "no data" : $"{TimeText.FormatIso(Analysis.FirstNs)} .. {TimeText.FormatIso(Analysis.LastNs)}")}; book: {Book}; a market order of each size every {EveryNs / 1e9:0.###} s, latency {LatencyNs / 1e6:0.###} ms; {Analysis.OutOfSync:N0} instants with the book out of sync left out; {Events:N0} events replayed. Slippage in bp against the mid at execution and against the arrival price (the mid when decided; positive = cost); cost in quote currency exact. Beyond known depth: the walk went past the deepest level of the book's last snapshot (or ran out of book), where the rebuilt book holds only the levels that changed since: such a figure is a lower bound.</p>\n");
        sb.Append("<table><tr><th class=\"l\">side</th><th>size</th><th>orders</th><th>partial</th><th>mean bp</th><th>p50</th><th>p95</th><th>p99</th><th>max</th><th>vs arrival: mean</th><th>p50</th><th>p95</th><th>p99</th><th>cost (quote, total)</th><th>levels</th><th>beyond known depth</th></tr>\n");
        foreach (var row in Rows)
            sb.Append(string.Create(CultureInfo.InvariantCulture,
                $"<tr><td class=\"l\">{Side(row.Side)}</td><td>{Size(row.Size)}</td><td>{row.Orders}</td><td>{row.Partial}</td><td>{row.MeanBps:F3}</td><td>{row.P50Bps:F3}</td><td>{row.P95Bps:F3}</td><td>{row.P99Bps:F3}</td><td>{row.MaxBps:F3}</td><td>{row.MeanBpsVsArrival:F3}</td><td>{row.P50BpsVsArrival:F3}</td><td>{row.P95BpsVsArrival:F3}</td><td>{row.P99BpsVsArrival:F3}</td><td>{Money.ToText(row.CostTotal)}</td><td>{row.MeanLevels:F2}</td><td>{row.BeyondKnownDepth}</td></tr>\n"));
        sb.Append("</table>\n");
        var curve = new List<ChartSeries>();
        foreach (var side in Rows.Select(r => r.Side).Distinct())
        {
            var mine = Rows.Where(r => r.Side == side).ToList();
            curve.Add(new($"{Side(side)} mean", mine.Select(r => (Qty(r.Size), r.MeanBps)).ToList()));
            curve.Add(new($"{Side(side)} p95", mine.Select(r => (Qty(r.Size), r.P95Bps)).ToList()));
        }
        sb.Append(Charts.Lines("Size against cost", "order size (log scale)", "slippage, bp", curve, XAxis.Log));
        var hours = Enumerable.Range(0, 24).Select(h => h.ToString("00", CultureInfo.InvariantCulture)).ToList();
        var largest = Rows.Where(r => r.Size == Rows.Max(x => x.Size)).ToList();
        // Each hour's bar carries its mean and the orders it averages (an hour of 3 orders is not an hour of 3,600).
        sb.Append(Charts.Bars($"Mean slippage by hour of day (UTC), size {(largest.Count > 0 ? Size(largest[0].Size) : "-")}: each bar's mean (orders)", "hour (UTC)", "mean bp", hours,
            largest.Select(r =>
            {
                var byHour = Enumerable.Range(0, 24).Select(h => r.ByHour.Where(b => b.Hour == h).Select(b => ((double)b.MeanBps, (long)b.Orders)).DefaultIfEmpty((double.NaN, 0L)).First()).ToList();
                return new BarSeries(Side(r.Side), byHour.Select(b => b.Item1).ToList(),
                    byHour.Select(b => double.IsFinite(b.Item1) ? string.Create(CultureInfo.InvariantCulture, $"{b.Item1:0.###} ({b.Item2:N0})") : "").ToList());
            }).ToList()));
        sb.Append(Charts.Bars("Orders the book could not absorb (share)", "order size", "partial fills, %", Rows.Select(r => r.Size).Distinct().Select(Size).ToList(),
            Rows.Select(r => r.Side).Distinct().Select(side => new BarSeries(Side(side), Rows.Where(r => r.Side == side).Select(r => r.Orders == 0 ? 0 : 100.0 * r.Partial / r.Orders).ToList(),
                Rows.Where(r => r.Side == side).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Partial:N0} of {r.Orders:N0}")).ToList())).ToList()));
        return Charts.Page(title, sb.ToString());
    }

    private double Qty(long size) => size / Math.Pow(10, Money.QuantityScale);
}
