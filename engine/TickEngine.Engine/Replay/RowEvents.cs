using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Replay;

/// <summary>The one mapping from stored rows back to ring events (the inverse of the writers).</summary>
public static class RowEvents
{
    /// <summary>Fills <paramref name="e"/> from the cursor's current row of a schema whose rows are events (trades, deltas, status, quotes, funding).</summary>
    public static void Fill(SegmentCursor c, SchemaKind kind, int instrumentId, ref MarketEvent e)
    {
        e = default;
        e.InstrumentId = instrumentId;
        e.ExchangeTime = c[SegmentSchema.ExchangeTime];
        e.ReceiveTime = c[SegmentSchema.ReceiveTime];
        Schemas.SchemaDefinitions.Of(kind).ToEvent(c, ref e);
    }

    /// <summary>True for schemas whose rows are one event each (<see cref="Fill"/>); others go out as row parts.</summary>
    public static bool HasEvent(SchemaKind kind) => Schemas.SchemaDefinitions.Of(kind).EventPerRow;

    /// <summary>Publishes the cursor's current row: one event, or (L2 samples, bars) its row parts.</summary>
    public static void Publish(EventPublisher publisher, SegmentCursor c, SchemaKind kind, int instrumentId) =>
        Publish(publisher, c, kind, instrumentId, 0, 0);

    /// <summary>
    /// As <see cref="Publish(EventPublisher, SegmentCursor, SchemaKind, int)"/>, with prices raised by
    /// <paramref name="priceShift"/> decimals and quantities by <paramref name="quantityShift"/> (a segment stored at
    /// smaller scales than the instrument is replayed at). False, with nothing usable published, when a value would
    /// not fit 64 bits.
    /// </summary>
    public static bool Publish(EventPublisher publisher, SegmentCursor c, SchemaKind kind, int instrumentId, int priceShift, int quantityShift)
    {
        if (HasEvent(kind))
        {
            ref var ev = ref publisher.Claim();
            Fill(c, kind, instrumentId, ref ev);
            if ((priceShift | quantityShift) == 0 || kind == SchemaKind.Status) return true;
            bool ok = kind switch
            {
                // A quote's ask sits in the id slots; funding's index price is a price in the quantity slot.
                SchemaKind.Quotes => Raise(ref ev.Price, priceShift) & Raise(ref ev.Quantity, quantityShift) & Raise(ref ev.Id2, priceShift) & Raise(ref ev.Flags, quantityShift),
                SchemaKind.Funding => Raise(ref ev.Price, priceShift) & Raise(ref ev.Quantity, priceShift),
                _ => Raise(ref ev.Price, priceShift) & Raise(ref ev.Quantity, quantityShift),
            };
            if (!ok) ev.Kind = EventKind.Void;
            return ok;
        }
        var columns = c.Reader.Schema.Columns;
        int count = columns.Count;
        int parts = RowAssembler.PartsFor(count);
        bool fits = true;
        for (int p = 0; p < parts; p++)
        {
            ref var e = ref publisher.Claim();
            e.Kind = EventKind.RowPart;
            e.Side = (byte)kind;
            e.InstrumentId = instrumentId;
            e.Reserved = p == parts - 1 ? (ushort)(RowAssembler.LastPart | count) : (ushort)p;
            e.ExchangeTime = c[SegmentSchema.ExchangeTime];
            e.ReceiveTime = c[SegmentSchema.ReceiveTime];
            int at = 2 + p * RowAssembler.ColumnsPerPart;
            e.Price = Column(c, columns, at, priceShift, quantityShift, ref fits);
            e.Quantity = Column(c, columns, at + 1, priceShift, quantityShift, ref fits);
            e.Id = Column(c, columns, at + 2, priceShift, quantityShift, ref fits);
            e.Id2 = Column(c, columns, at + 3, priceShift, quantityShift, ref fits);
            e.Flags = Column(c, columns, at + 4, priceShift, quantityShift, ref fits);
        }
        return fits;
    }

    private static long Column(SegmentCursor c, IReadOnlyList<ColumnSpec> columns, int at, int priceShift, int quantityShift, ref bool fits)
    {
        if (at >= columns.Count) return 0;
        long v = c[at];
        var kind = columns[at].Kind;
        int shift = kind == ColumnKind.Price ? priceShift : kind == ColumnKind.Quantity ? quantityShift : 0;
        if (shift != 0 && !Raise(ref v, shift)) fits = false;
        return v;
    }

    private static bool Raise(ref long v, int shift)
    {
        if (shift == 0) return true;
        if (!Storage.Numerics.FixedDecimal.TryRescale(v, 0, shift, out long r)) return false;
        v = r;
        return true;
    }
}
