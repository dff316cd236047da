using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>
/// Trades: positive prices and quantities; ids that decode; for venues whose ids rise by one, no duplicate and no gap
/// outside a stored disconnect (observed across one); history sent at subscription checked for its values only. The
/// bars the trades make are kept for <see cref="BarsRules"/>.
/// </summary>
public sealed class TradesRules : SchemaRules
{
    /// <summary>Bars computed from the trades, per instrument: (interval, open time) to O, H, L, C, volume, count.</summary>
    public sealed class ComputedBars : Dictionary<(string Exchange, string Symbol), Dictionary<(long Interval, long Open), decimal[]>>;

    private readonly SegmentSchema _schema;
    private readonly bool _sequentialIds;
    private readonly Dictionary<(long, long), decimal[]> _bars;
    private long _prevId = long.MinValue, _prevIdReceive = long.MinValue;

    public TradesRules(SegmentReader r, SeriesReport s, ValidationContext ctx)
    {
        _schema = r.Schema;
        _sequentialIds = Venues.VenueRegistry.TradeIdsOf(s.Exchange) == Ingest.TradeIdKind.Sequential;
        var all = ctx.Shared<ComputedBars>("trades.bars");
        if (!all.TryGetValue((s.Exchange, s.Symbol), out var bars)) all[(s.Exchange, s.Symbol)] = bars = new();
        _bars = bars;
    }

    public override bool IsHistory(SegmentCursor c) => (c[TradeColumns.Flags] & (long)RowFlags.History) != 0;

    public override void CheckValues(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at)
    {
        Values(c, s, at);
        AddToBars(c);
    }

    public override void Check(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at)
    {
        long id = c[TradeColumns.TradeId];
        long recv = c[SegmentSchema.ReceiveTime];
        Values(c, s, at);
        if (_schema.TextTradeIds) { } // ids of any form promise no order
        else if (id == 0 || !_sequentialIds) { } // no id recorded (imported data), or ids that promise no continuity
        else if (_prevId != long.MinValue)
        {
            if (id <= _prevId) s.Problem("trade id duplicate or out of order", $"{id} after {_prevId} at {at}");
            else if (id != _prevId + 1)
            {
                string example = $"{id - _prevId - 1} ids missing before {id} at {at}";
                if (ctx.SessionBetween(s.Exchange, s.Symbol, _prevIdReceive, recv)) s.Observe("trade ids missing across a stored disconnect", example);
                else s.Problem("trade id gap", example);
            }
        }
        if (id != 0) { _prevId = Math.Max(_prevId, id); _prevIdReceive = recv; }
        AddToBars(c);
    }

    private void Values(SegmentCursor c, SeriesReport s, string at)
    {
        long id = c[TradeColumns.TradeId];
        if (c[TradeColumns.Price] <= 0 || c[TradeColumns.Quantity] <= 0) s.Problem("zero or negative price or quantity", $"trade {id} at {at}");
        // Ids of any form must decode (FORMAT.md 1.1); a segment's CRC proves the bytes, not that they are an id.
        if (_schema.TextTradeIds && TradeIds.ToText(id, c[TradeColumns.TradeIdLo], c[TradeColumns.Flags]) is null)
            s.Problem("trade id not valid", $"stored id words {id:X16} {c[TradeColumns.TradeIdLo]:X16} at {at}");
    }

    /// <summary>Adds a trade to the bars computed from the trades, in exact decimals (a recording's parts may hold trades at other scales than its bars).</summary>
    private void AddToBars(SegmentCursor c)
    {
        long t = c[SegmentSchema.ExchangeTime];
        decimal px = Exact.Dec(c[TradeColumns.Price], _schema.PriceScale), q = Exact.Dec(c[TradeColumns.Quantity], _schema.QuantityScale);
        foreach (long interval in Handlers.BarAggregatorHandler.DefaultIntervals)
        {
            long open = t - ((t % interval) + interval) % interval;
            if (!_bars.TryGetValue((interval, open), out var b)) _bars[(interval, open)] = b = [px, px, px, px, 0, 0];
            b[1] = Math.Max(b[1], px); b[2] = Math.Min(b[2], px); b[3] = px; b[4] += q; b[5]++;
        }
    }
}
