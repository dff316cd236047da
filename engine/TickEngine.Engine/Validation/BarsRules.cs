using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>
/// Bars: OHLC in order, volumes consistent, positive prices where there were trades; and, after every segment was read,
/// each complete bar with trades equal to the bar its trades make (<see cref="TradesRules"/>), when they are in the data.
/// </summary>
public sealed class BarsRules(SegmentReader r, SeriesReport s) : SchemaRules
{
    /// <summary>Stored bars waiting for the final check: instrument, row, scales.</summary>
    public sealed class StoredBars : List<(string Exchange, string Symbol, long[] Row, int PriceScale, int QuantityScale)>;

    private readonly SegmentSchema _schema = r.Schema;

    public override bool ChecksOrder => false; // a bar is written when it closes: several intervals' bars interleave
    public override bool ChecksSkew => false;

    public override void Check(SegmentCursor c, SeriesReport report, ValidationContext ctx, string at)
    {
        long op = c[BarColumns.Open], h = c[BarColumns.High], l = c[BarColumns.Low], cl = c[BarColumns.Close], v = c[BarColumns.Volume], bv = c[BarColumns.BuyVolume];
        if (l > op || l > cl || op > h || cl > h || l > h) report.Problem("OHLC out of order", $"{at}: O {op} H {h} L {l} C {cl}");
        if (v < 0 || bv < 0 || bv > v) report.Problem("volume", $"{at}: volume {v}, buy volume {bv}");
        if (c[BarColumns.TradeCount] > 0 && (op <= 0 || l <= 0)) report.Problem("zero or negative price or quantity", $"bar at {at}");
        var row = new long[BarColumns.Count];
        for (int k = 0; k < row.Length; k++) row[k] = c[k];
        ctx.Shared<StoredBars>("bars.stored").Add((s.Exchange, s.Symbol, row, _schema.PriceScale, _schema.QuantityScale));
    }

    /// <summary>Bars against the trades they came from (complete bars with trades, whose trades are in the data).</summary>
    public static void Finish(ValidationContext ctx)
    {
        var computedAll = ctx.Shared<TradesRules.ComputedBars>("trades.bars");
        foreach (var (ex, sym, row, ps, qs) in ctx.Shared<StoredBars>("bars.stored"))
        {
            if ((row[BarColumns.Flags] & (long)RowFlags.Partial) != 0 || row[BarColumns.TradeCount] == 0) continue;
            if (!computedAll.TryGetValue((ex, sym), out var computed)) continue;
            if (!computed.TryGetValue((row[BarColumns.Interval], row[BarColumns.OpenTime]), out var c)) continue;
            bool same = c[0] == Exact.Dec(row[BarColumns.Open], ps) && c[1] == Exact.Dec(row[BarColumns.High], ps) && c[2] == Exact.Dec(row[BarColumns.Low], ps) &&
                        c[3] == Exact.Dec(row[BarColumns.Close], ps) && c[4] == Exact.Dec(row[BarColumns.Volume], qs) && c[5] == row[BarColumns.TradeCount];
            if (!same)
                ctx.Series(ex, sym, SchemaKind.Bars).Problem("bar disagrees with its trades",
                    $"{IsoNs.Format(row[BarColumns.OpenTime])} {row[BarColumns.Interval] / 1_000_000_000}s: stored O/H/L/C/V/n {row[BarColumns.Open]}/{row[BarColumns.High]}/{row[BarColumns.Low]}/{row[BarColumns.Close]}/{row[BarColumns.Volume]}/{row[BarColumns.TradeCount]}, from trades {c[0]}/{c[1]}/{c[2]}/{c[3]}/{c[4]}/{c[5]}");
        }
    }
}
