using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Research;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Reports;

/// <summary>
/// A backtest report as JSON and as an HTML page with charts (<see cref="Charts"/>: equity, drawdown, inventory, fills over price, PnL per day).
/// A function of the data and the parameters only: the same run gives byte-identical reports.
/// </summary>
public sealed record BacktestDocument(BacktestSpec Spec, string Exchange, Backtest Run, BacktestMetrics Metrics, long Events, int Damaged)
{
    private MoneyScale Money => Run.Money;

    /// <summary>The synthetic market's seed, when the run was on it (stated in the report).</summary>
    public int? SyntheticSeed { get; init; }
    private string Qty(long q) => FixedDecimal.ToString(q, Money.QuantityScale);
    private string Px(long p) => FixedDecimal.ToString(p, Money.PriceScale);
    private static double R(double v) => double.IsFinite(v) ? Math.Round(v, 6) : 0;
    private string Book => Run.SampleBook is { } s ? $"top {s.Depth} levels from L2 samples (no deltas recorded): takers beyond them fill partly" : "full depth from deltas";

    private static void Drawn(Utf8JsonWriter w, string name, DelayHistogram h)
    {
        w.WriteStartObject(name);
        w.WriteNumber("count", h.Count);
        if (h.Count > 0)
        {
            w.WriteNumber("p50_ms", R(h.AtPercentile(50) / 1e6));
            w.WriteNumber("p99_ms", R(h.AtPercentile(99) / 1e6));
            w.WriteNumber("max_ms", R(h.Max / 1e6));
        }
        w.WriteEndObject();
    }

    private static string ShortRunCaveat(BacktestMetrics m) =>
        string.Create(CultureInfo.InvariantCulture, $"Sharpe and Sortino are annualised from {m.Intervals} intervals of a {m.SpanNs / 6e10:0.#}-minute run: a short run scaled to a year, not a yearly figure");

    /// <summary>"p50 1.2 ms, p99 3.4 ms (n = 1,234)" of what was drawn or charged.</summary>
    private static string Quantiles(DelayHistogram h) =>
        h.Count == 0 ? "none" : string.Create(CultureInfo.InvariantCulture, $"p50 {h.AtPercentile(50) / 1e6:0.###} ms, p99 {h.AtPercentile(99) / 1e6:0.###} ms, max {h.Max / 1e6:0.###} ms (n = {h.Count:N0})");

    /// <summary>The latency and feed delay the run actually used, in words.</summary>
    public string TimingText()
    {
        var lat = Run.Exchange.Latency;
        return $"latency {lat.Describe()}; drawn: entry {Quantiles(lat.EntryDrawn)}, cancel {Quantiles(lat.CancelDrawn)}. Feed delay: {Run.Clock.DescribeOffset()}" +
            (Run.Clock.Charged ? $"; charged {Quantiles(Run.Clock.Charges)}{(Run.Clock.BelowOffset > 0 ? $", {Run.Clock.BelowOffset:N0} events below the offset charged 0" : "")}" : "");
    }

    public string Json()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            var m = Metrics;
            w.WriteStartObject();
            w.WriteString("exchange", Exchange);
            if (SyntheticSeed is { } marketSeed) w.WriteNumber("synthetic_seed", marketSeed);
            w.WriteString("symbol", Spec.Symbol);
            w.WriteString("strategy", Spec.Strategy);
            w.WriteStartObject("parameters");
            foreach (var (k, v) in Spec.Parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteString("book", Book);
            w.WriteString("queue_model", Spec.QueueModel);
            var lat = Run.Exchange.Latency;
            w.WriteStartObject("latency");
            w.WriteString("model", lat.Describe());
            if (lat.Seed is { } seed) w.WriteNumber("seed", seed);
            Drawn(w, "entry_drawn", lat.EntryDrawn);
            Drawn(w, "cancel_drawn", lat.CancelDrawn);
            w.WriteEndObject();
            var clock = Run.Clock;
            w.WriteStartObject("feed_delay");
            w.WriteBoolean("charged", clock.Charged);
            w.WriteNumber("clock_offset_ms", R(clock.OffsetNs / 1e6));
            w.WriteString("estimate", clock.DescribeOffset());
            w.WriteStartArray("streams");
            foreach (var st in clock.Streams)
            {
                w.WriteStartObject();
                w.WriteString("stream", st.Name);
                w.WriteNumber("rows", st.Rows);
                w.WriteNumber("receive_minus_exchange_min_ms", R(st.MinNs / 1e6));
                w.WriteNumber("receive_minus_exchange_p1_ms", R(st.P1Ns / 1e6));
                w.WriteNumber("receive_minus_exchange_p50_ms", R(st.P50Ns / 1e6));
                w.WriteNumber("receive_minus_exchange_p99_ms", R(st.P99Ns / 1e6));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            Drawn(w, "charged_delay", clock.Charges);
            w.WriteNumber("events_below_offset", clock.BelowOffset);
            w.WriteNumber("events_without_receive_time", clock.NoReceiveTime);
            w.WriteEndObject();
            w.WriteString("instrument_rules", Run.Exchange.Rules.Describe(Money.PriceScale, Money.QuantityScale));
            w.WriteString("matching_rules", Run.Exchange.Matching == MatchingRules.Hftbacktest ? "hftbacktest (PartialFillExchange)" : "conservative");
            w.WriteNumber("orders_snapped", Run.Exchange.OrdersSnapped);
            w.WriteNumber("orders_rejected", Run.Exchange.OrdersRejected);
            w.WriteNumber("maker_fee_bps", Run.Exchange.Fees.MakerBps);
            w.WriteNumber("taker_fee_bps", Run.Exchange.Fees.TakerBps);
            w.WriteString("first", Run.FirstNs == long.MaxValue ? "" : TimeText.FormatIso(Run.FirstNs));
            w.WriteString("last", Run.LastNs == long.MinValue ? "" : TimeText.FormatIso(Run.LastNs));
            w.WriteNumber("events", Events);
            w.WriteNumber("damaged_segments", Damaged);
            w.WriteString("total_pnl", Money.ToText(m.TotalPnl));
            w.WriteString("realized_pnl", Money.ToText(m.Realized));
            w.WriteString("unrealized_pnl", Money.ToText(m.Unrealized));
            w.WriteString("fees", Money.ToText(m.Fees));
            w.WriteString("maker_fees", Money.ToText(m.MakerFees));
            w.WriteString("taker_fees", Money.ToText(m.TakerFees));
            w.WriteString("max_drawdown", Money.ToText(m.MaxDrawdown));
            w.WriteString("turnover", Money.ToText(m.Turnover));
            w.WriteNumber("sharpe", R(m.Sharpe));
            w.WriteNumber("sortino", R(m.Sortino));
            w.WriteString("annualisation", $"per-{Spec.SampleNs / 1e9:0.###}-s PnL, x sqrt({m.AnnualisationFactor * m.AnnualisationFactor:0}) (365 days a year, all day)");
            w.WriteNumber("cvar95_loss_per_interval", R(m.CVaR95Loss));
            if (m.SpanNs < BacktestMetrics.ShortRunNs) w.WriteString("ratios_caveat", ShortRunCaveat(m));
            w.WriteNumber("intervals", m.Intervals);
            w.WriteNumber("orders_sent", m.OrdersSent);
            w.WriteNumber("fills", m.Fills);
            w.WriteNumber("maker_fills", m.MakerFills);
            w.WriteString("maker_quantity", Qty(m.MakerQuantity));
            w.WriteString("taker_quantity", Qty(m.TakerQuantity));
            w.WriteNumber("fill_rate", R(m.FillRate));
            w.WriteNumber("hit_rate", R(m.HitRate));
            w.WriteNumber("closing_fills", m.ClosingFills);
            w.WriteNumber("mean_abs_inventory", R(m.MeanAbsInventory));
            w.WriteString("max_abs_inventory", Qty(m.MaxAbsInventory));
            w.WriteString("final_position", Qty(m.FinalPosition));
            if (Run.Legs.Count > 1)
            {
                // Each instrument apart, at its own scales (the figures above are their exact sum).
                w.WriteStartArray("instruments");
                foreach (var leg in Run.Legs)
                {
                    var p = leg.Portfolio;
                    w.WriteStartObject();
                    w.WriteString("market", leg.Market);
                    w.WriteString("pnl", p.Money.ToText(p.Equity));
                    w.WriteString("realized_pnl", p.Money.ToText(p.Realized));
                    w.WriteString("unrealized_pnl", p.Money.ToText(p.Unrealized));
                    w.WriteString("fees", p.Money.ToText(p.Fees));
                    w.WriteNumber("fills", p.Fills);
                    w.WriteString("final_position", FixedDecimal.ToString(p.Position, p.Money.QuantityScale));
                    w.WriteNumber("maker_fee_bps", leg.Exchange.Fees.MakerBps);
                    w.WriteNumber("taker_fee_bps", leg.Exchange.Fees.TakerBps);
                    w.WriteNumber("clock_offset_ms", R(leg.Clock.OffsetNs / 1e6));
                    w.WriteString("feed_delay", leg.Clock.DescribeOffset());
                    Drawn(w, "charged_delay", leg.Clock.Charges);
                    w.WriteString("instrument_rules", leg.Exchange.Rules.Describe(p.Money.PriceScale, p.Money.QuantityScale));
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteStartArray("daily_pnl");
            foreach (var (day, pnl) in m.Days)
            {
                w.WriteStartObject();
                w.WriteString("day", DateTimeOffset.FromUnixTimeMilliseconds(day * 86_400_000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                w.WriteString("pnl", Money.ToText(pnl));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    public string Html()
    {
        var m = Metrics;
        string title = $"Backtest: {Spec.Strategy} on {Exchange}/{Spec.Symbol}";
        var sb = new StringBuilder($"<h1>{WebUtility.HtmlEncode(title)}</h1>\n");
        string parameters = Spec.Parameters.Count == 0 ? "defaults" : string.Join(", ", Spec.Parameters.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
        sb.Append($"<p class=\"note\">{WebUtility.HtmlEncode($"{(Run.FirstNs == long.MaxValue ? "no data" : $"{TimeText.FormatIso(Run.FirstNs)} .. {TimeText.FormatIso(Run.LastNs)}")}; parameters: {parameters}; book: {Book}; queue model {Spec.QueueModel} ({(Run.Exchange.Matching == MatchingRules.Hftbacktest ? "hftbacktest's fill rules" : "conservative fill rules")}); {Run.Exchange.Rules.Describe(Money.PriceScale, Money.QuantityScale)}, {Run.Exchange.OrdersSnapped:N0} snapped, {Run.Exchange.OrdersRejected:N0} refused; {TimingText()}; fees maker {Run.Exchange.Fees.MakerBps} bp, taker {Run.Exchange.Fees.TakerBps} bp; {Events:N0} events.")}</p>\n");
        sb.Append("<table>");
        void Row(string k, string v) => sb.Append($"<tr><th class=\"l\">{WebUtility.HtmlEncode(k)}</th><td>{WebUtility.HtmlEncode(v)}</td></tr>\n");
        Row("total PnL (quote, exact)", Money.ToText(m.TotalPnl));
        Row("realized / unrealized", $"{Money.ToText(m.Realized)} / {Money.ToText(m.Unrealized)}");
        Row("fees (maker / taker)", $"{Money.ToText(m.Fees)} ({Money.ToText(m.MakerFees)} / {Money.ToText(m.TakerFees)})");
        Row("max drawdown", Money.ToText(m.MaxDrawdown));
        Row("Sharpe / Sortino", string.Create(CultureInfo.InvariantCulture, $"{m.Sharpe:F3} / {m.Sortino:F3} (per-{Spec.SampleNs / 1e9:0.###}-s PnL x {m.AnnualisationFactor:F1}, {m.Intervals} intervals)"));
        Row($"CVaR 95 %: expected loss of the worst 5 % of {Spec.SampleNs / 1e9:0.###}-s intervals (quote)", m.CVaR95Loss.ToString("F6", CultureInfo.InvariantCulture));
        if (m.SpanNs < BacktestMetrics.ShortRunNs) Row("caveat", ShortRunCaveat(m));
        Row("orders / fills (maker)", $"{m.OrdersSent:N0} / {m.Fills:N0} ({m.MakerFills:N0})");
        Row("maker / taker quantity", $"{Qty(m.MakerQuantity)} / {Qty(m.TakerQuantity)}");
        Row("fill rate / hit rate", string.Create(CultureInfo.InvariantCulture, $"{m.FillRate:P1} / {m.HitRate:P1} of {m.ClosingFills} closing fills"));
        Row("inventory: mean |q| / max |q| / final", string.Create(CultureInfo.InvariantCulture, $"{m.MeanAbsInventory:0.########} / {Qty(m.MaxAbsInventory)} / {Qty(m.FinalPosition)}"));
        Row("turnover", Money.ToText(m.Turnover));
        sb.Append("</table>\n");
        if (Run.Legs.Count > 1)
        {
            sb.Append("<table><tr><th class=\"l\">instrument</th><th>PnL</th><th>realized</th><th>fees</th><th>fills</th><th>final position</th><th class=\"l\">feed clock</th></tr>");
            foreach (var leg in Run.Legs)
            {
                var p = leg.Portfolio;
                sb.Append($"<tr><td class=\"l\">{WebUtility.HtmlEncode(leg.Market)}</td><td>{p.Money.ToText(p.Equity)}</td><td>{p.Money.ToText(p.Realized)}</td><td>{p.Money.ToText(p.Fees)}</td><td>{p.Fills:N0}</td><td>{FixedDecimal.ToString(p.Position, p.Money.QuantityScale)}</td><td class=\"l\">{WebUtility.HtmlEncode(leg.Clock.DescribeOffset())}</td></tr>");
            }
            sb.Append("</table>\n");
        }
        if (m.Days.Count > 0)
        {
            sb.Append("<table><tr><th class=\"l\">day (UTC)</th><th>PnL</th></tr>");
            foreach (var (day, pnl) in m.Days)
                sb.Append($"<tr><td class=\"l\">{DateTimeOffset.FromUnixTimeMilliseconds(day * 86_400_000):yyyy-MM-dd}</td><td>{Money.ToText(pnl)}</td></tr>");
            sb.Append("</table>\n");
        }
        var eq = Run.Equity;
        static double Sec(long ns) => ns / 1e9;
        sb.Append(Charts.Lines("Equity (quote)", "time (UTC)", "equity", [new("equity", eq.Select(p => (Sec(p.TimeNs), Money.ToDouble(p.Equity))).ToList())]));
        sb.Append(Charts.Lines("Drawdown (quote)", "time (UTC)", "drawdown", [new("drawdown", eq.Select(p => (Sec(p.TimeNs), -Money.ToDouble(p.Drawdown))).ToList())]));
        double qs = Math.Pow(10, Money.QuantityScale), ps = Math.Pow(10, Money.PriceScale);
        sb.Append(Charts.Lines($"Inventory (sampled every {Spec.SampleNs / 1e9:0.###} s; held until the next sample)", "time (UTC)", "position",
            [new("position", eq.Select(p => (Sec(p.TimeNs), p.Position / qs)).ToList(), SeriesStyle.Step)]));
        var fills = Run.FillsKept;
        sb.Append(Charts.Lines("Fills over price", "time (UTC)", "price",
        [
            new(Run.Legs.Count > 1 ? $"mid ({Run.Legs[0].Market})" : "mid", eq.Where(p => p.Bid > 0).Select(p => (Sec(p.TimeNs), (p.Bid + p.Ask) / 2.0 / ps)).ToList()),
            new("buys", fills.Where(f => f.Side == OrderSide.Buy).Select(f => (Sec(f.TimeNs), f.Price / ps)).ToList(), SeriesStyle.Points, "#2ca02c"),
            new("sells", fills.Where(f => f.Side == OrderSide.Sell).Select(f => (Sec(f.TimeNs), f.Price / ps)).ToList(), SeriesStyle.Points, "#d62728"),
        ]));
        if (m.Days.Count > 1)
            sb.Append(Charts.Bars("PnL per day (UTC, quote)", "day", "PnL", m.Days.Select(d => DateTimeOffset.FromUnixTimeMilliseconds(d.Day * 86_400_000).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).ToList(),
                [new BarSeries("PnL", m.Days.Select(d => Money.ToDouble(d.Pnl)).ToList(), m.Days.Select(d => Money.ToText(d.Pnl)).ToList())]));
        long drawnOf = Run.Portfolio.Fills; // the chart's fills are the first instrument's
        if (fills.Count < drawnOf || Run.Legs.Count > 1)
            sb.Append($"<p class=\"note\">{fills.Count:N0} of {drawnOf:N0} fills{(Run.Legs.Count > 1 ? $" of {WebUtility.HtmlEncode(Run.Legs[0].Market)}" : "")} drawn{(fills.Count < drawnOf ? $" (one in {Math.Max(1, drawnOf / Math.Max(1, fills.Count))})" : "")}; every fill counts in the figures.</p>");
        return Charts.Page(title, sb.ToString());
    }
}
