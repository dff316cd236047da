using System.Globalization;
using System.Text.Json.Nodes;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Research;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Reports;

/// <summary>The microstructure report as JSON: the whole period's figures and one row per interval with data. Exact decimals (VWAP, volumes, sizes) as text; ratios as numbers.</summary>
public static class MicrostructureReport
{
    private static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(Math.Round(v, 10)) : null;

    public static JsonObject Json(MicrostructureAnalysis a, string exchange, string symbol, string book, string? session, long from, long to)
    {
        int ps = a.PriceScale, qs = a.QuantityScale;
        string Q(long q) => FixedDecimal.ToString(q, qs);
        string Vwap(Int128 notional, long volume) =>
            volume == 0 ? "" : decimal.Round((decimal)notional / volume / Pow10(ps), ps + 4).ToString(CultureInfo.InvariantCulture);
        var intervals = new JsonArray();
        double intervalS = a.IntervalNs / 1e9;
        long samples = 0, trades = 0, volume = 0, buy = 0, sell = 0, eff = 0, real = 0, top = 0, messages = 0, returns = 0;
        double spreadP = 0, spreadB = 0, depthT = 0, depthW = 0, ofi = 0, effSum = 0, effSizeSum = 0, effSize = 0, realSum = 0, retSq = 0, volSum = 0;
        int volN = 0;
        Int128 notional = 0;
        foreach (var (start, b) in a.Intervals)
        {
            double vol = b.Returns > 0 ? Math.Sqrt(b.ReturnSquares) * 1e4 : double.NaN;
            if (b.Returns > 0) { volSum += vol; volN++; }
            intervals.Add(new JsonObject
            {
                ["start_ns"] = start,
                ["start"] = TimeText.FormatIso(start),
                ["samples"] = b.Samples,
                ["quoted_spread"] = b.Samples > 0 ? N(b.SpreadPriceSum / b.Samples) : null,
                ["quoted_spread_bps"] = b.Samples > 0 ? N(b.SpreadBpsSum / b.Samples) : null,
                ["depth_touch"] = b.Samples > 0 ? N(b.DepthTouchSum / b.Samples) : null,
                ["depth_within"] = b.Samples > 0 ? N(b.DepthWithinSum / b.Samples) : null,
                ["mid_last"] = b.LastMid is { } m ? N(m) : null,
                ["volatility_bps"] = N(vol),
                ["ofi"] = N(b.Ofi),
                ["trades"] = b.Trades,
                ["trades_per_s"] = N(b.Trades / intervalS),
                ["volume"] = Q(b.Volume),
                ["buy_volume"] = Q(b.BuyVolume),
                ["sell_volume"] = Q(b.SellVolume),
                ["trade_imbalance"] = N((b.BuyVolume - b.SellVolume) * Math.Pow(10, -qs)),
                ["vwap"] = b.Volume > 0 ? N((double)((decimal)b.Notional / b.Volume / Pow10(ps))) : null,
                ["vwap_exact"] = Vwap(b.Notional, b.Volume),
                ["effective_spread_bps"] = b.Effective > 0 ? N(b.EffectiveBpsSum / b.Effective) : null,
                ["realized_spread_bps"] = b.Realized > 0 ? N(b.RealizedBpsSum / b.Realized) : null,
                ["top_changes"] = b.TopChanges,
                ["book_messages"] = b.BookMessages,
            });
            samples += b.Samples; spreadP += b.SpreadPriceSum; spreadB += b.SpreadBpsSum; depthT += b.DepthTouchSum; depthW += b.DepthWithinSum;
            ofi += b.Ofi; trades += b.Trades; volume += b.Volume; buy += b.BuyVolume; sell += b.SellVolume; notional += b.Notional;
            effSum += b.EffectiveBpsSum; effSizeSum += b.EffectiveBpsSizeSum; effSize += b.EffectiveSize; eff += b.Effective;
            realSum += b.RealizedBpsSum; real += b.Realized; top += b.TopChanges; messages += b.BookMessages;
            retSq += b.ReturnSquares; returns += b.Returns;
        }
        var sizes = a.TradeSizes.Order().ToArray();
        string Pct(double p) => sizes.Length == 0 ? "" : Q(sizes[Math.Clamp((int)Math.Ceiling(p * sizes.Length) - 1, 0, sizes.Length - 1)]);
        var (lambda, r2, points) = a.KyleLambda();
        double spanS = a.LastNs > a.FirstNs ? (a.LastNs - a.FirstNs) / 1e9 : double.NaN;
        double effMean = eff > 0 ? effSum / eff : double.NaN, realMean = real > 0 ? realSum / real : double.NaN;
        var totals = new JsonObject
        {
            ["quoted_spread"] = samples > 0 ? N(spreadP / samples) : null,
            ["quoted_spread_bps"] = samples > 0 ? N(spreadB / samples) : null,
            ["effective_spread_bps"] = N(effMean),
            ["effective_spread_bps_size_weighted"] = effSize > 0 ? N(effSizeSum / effSize) : null,
            ["realized_spread_bps"] = N(realMean),
            ["price_impact_bps"] = N(effMean - realMean),
            ["volatility_bps_per_interval"] = volN > 0 ? N(volSum / volN) : null,
            ["volatility_bps_whole"] = returns > 0 ? N(Math.Sqrt(retSq) * 1e4) : null,
            ["ofi"] = N(ofi),
            ["trade_imbalance"] = buy + sell > 0 ? N((double)(buy - sell) / (buy + sell)) : null,
            ["trades"] = trades,
            ["trades_per_s"] = N(trades / spanS),
            ["volume"] = Q(volume),
            ["buy_volume"] = Q(buy),
            ["sell_volume"] = Q(sell),
            ["vwap"] = Vwap(notional, volume),
            ["size_mean"] = sizes.Length > 0 ? decimal.Round((decimal)volume / sizes.Length / Pow10(qs), qs + 4).ToString(CultureInfo.InvariantCulture) : "",
            ["size_p50"] = Pct(0.50),
            ["size_p90"] = Pct(0.90),
            ["size_p99"] = Pct(0.99),
            ["size_max"] = sizes.Length > 0 ? Q(sizes[^1]) : "",
            ["depth_touch"] = samples > 0 ? N(depthT / samples) : null,
            ["depth_within"] = samples > 0 ? N(depthW / samples) : null,
            ["kyle_lambda"] = N(lambda),
            ["kyle_r2"] = N(r2),
            ["kyle_points"] = points,
            ["quote_to_trade"] = trades > 0 ? N((double)top / trades) : null,
            ["book_messages_per_trade"] = trades > 0 ? N((double)messages / trades) : null,
            ["samples"] = samples,
            ["samples_out_of_sync"] = a.SamplesOutOfSync,
            ["samples_quiet"] = a.SamplesQuiet,
            ["realized_unresolved"] = a.RealizedUnresolved,
            ["trades_without_book"] = a.TradesUnjudged,
        };
        // Size bands by powers of ten of the size.
        var hist = new JsonArray();
        if (sizes.Length > 0)
        {
            double unit = Math.Pow(10, -qs);
            int lo = (int)Math.Floor(Math.Log10(Math.Max(sizes[0], 1) * unit)), hi = (int)Math.Floor(Math.Log10(sizes[^1] * unit));
            for (int k = lo; k <= hi; k++)
            {
                double a0 = Math.Pow(10, k), a1 = Math.Pow(10, k + 1);
                long c = sizes.LongCount(s => s * unit >= a0 * (1 - 1e-12) && s * unit < a1 * (1 - 1e-12));
                hist.Add(new JsonObject { ["band"] = $"{a0.ToString("G", CultureInfo.InvariantCulture)}–{a1.ToString("G", CultureInfo.InvariantCulture)}", ["count"] = c });
            }
        }
        return new JsonObject
        {
            ["exchange"] = exchange,
            ["symbol"] = symbol,
            ["session"] = session,
            ["book"] = book,
            ["from"] = a.FirstNs == long.MaxValue ? null : TimeText.FormatIso(a.FirstNs),
            ["to"] = a.LastNs == long.MinValue ? null : TimeText.FormatIso(a.LastNs),
            ["requested_from"] = from == long.MinValue ? null : TimeText.FormatIso(from),
            ["requested_to"] = to == long.MaxValue ? null : TimeText.FormatIso(to),
            ["interval_s"] = intervalS,
            ["sample_s"] = a.SampleNs / 1e9,
            ["horizon_s"] = a.HorizonNs / 1e9,
            ["max_quiet_s"] = a.QuietNs / 1e9,
            ["depth_ticks"] = a.WithinTicks,
            ["tick"] = FixedDecimal.ToString(a.Tick, ps),
            ["totals"] = totals,
            ["intervals"] = intervals,
            ["size_histogram"] = hist,
        };
    }

    private static decimal Pow10(int n)
    {
        decimal p = 1;
        for (int i = 0; i < n; i++) p *= 10;
        return p;
    }
}
