using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Replay;

/// <summary>The one mapping from stored rows back to ring events (the inverse of the writers).</summary>
public static class RowEvents
{
    /// <summary>Fills <paramref name="e"/> from the cursor's current row of a trades, deltas or status segment.</summary>
    public static void Fill(SegmentCursor c, SchemaKind kind, int instrumentId, ref MarketEvent e)
    {
        e = default;
        e.InstrumentId = instrumentId;
        e.ExchangeTime = c[SegmentSchema.ExchangeTime];
        e.ReceiveTime = c[SegmentSchema.ReceiveTime];
        switch (kind)
        {
            case SchemaKind.Trades:
                e.Kind = EventKind.Trade;
                e.Id = c[TradeColumns.TradeId];
                e.Price = c[TradeColumns.Price];
                e.Quantity = c[TradeColumns.Quantity];
                e.Side = (byte)c[TradeColumns.Side];
                e.Flags = c[TradeColumns.Flags];
                break;
            case SchemaKind.Deltas:
                e.Kind = EventKind.BookDelta;
                e.Id = c[DeltaColumns.FirstUpdateId];
                e.Id2 = c[DeltaColumns.LastUpdateId];
                e.Side = (byte)c[DeltaColumns.Side];
                e.Price = c[DeltaColumns.Price];
                e.Quantity = c[DeltaColumns.Quantity];
                e.Flags = c[DeltaColumns.Flags];
                break;
            case SchemaKind.Status:
                e.Kind = EventKind.Status;
                e.Side = (byte)c[StatusColumns.Kind];
                e.Id = c[StatusColumns.A];
                e.Id2 = c[StatusColumns.B];
                break;
            default:
                throw new InvalidOperationException($"{kind} rows are derived in replay (from trades and deltas), not published");
        }
    }
}
