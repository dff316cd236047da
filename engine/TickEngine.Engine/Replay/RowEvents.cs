using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
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
                if (c.Reader.Schema.TextTradeIds) e.Id2 = c[TradeColumns.TradeIdLo];
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
                throw new InvalidOperationException($"{kind} rows have no event of their own: publish them with {nameof(Publish)}");
        }
    }

    /// <summary>True for schemas whose rows are one event each (<see cref="Fill"/>); others go out as row parts.</summary>
    public static bool HasEvent(SchemaKind kind) => kind is SchemaKind.Trades or SchemaKind.Deltas or SchemaKind.Status;

    /// <summary>Publishes the cursor's current row: one event, or (L2 samples, bars) its row parts.</summary>
    public static void Publish(EventPublisher publisher, SegmentCursor c, SchemaKind kind, int instrumentId)
    {
        if (HasEvent(kind))
        {
            Fill(c, kind, instrumentId, ref publisher.Claim());
            return;
        }
        int columns = c.Reader.Schema.ColumnCount;
        int parts = RowAssembler.PartsFor(columns);
        for (int p = 0; p < parts; p++)
        {
            ref var e = ref publisher.Claim();
            e.Kind = EventKind.RowPart;
            e.Side = (byte)kind;
            e.InstrumentId = instrumentId;
            e.Reserved = p == parts - 1 ? (ushort)(RowAssembler.LastPart | columns) : (ushort)p;
            e.ExchangeTime = c[SegmentSchema.ExchangeTime];
            e.ReceiveTime = c[SegmentSchema.ReceiveTime];
            int at = 2 + p * RowAssembler.ColumnsPerPart;
            e.Price = at < columns ? c[at] : 0;
            e.Quantity = at + 1 < columns ? c[at + 1] : 0;
            e.Id = at + 2 < columns ? c[at + 2] : 0;
            e.Id2 = at + 3 < columns ? c[at + 3] : 0;
            e.Flags = at + 4 < columns ? c[at + 4] : 0;
        }
    }
}
