using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Schemas;

/// <summary>deltas: one row per published level change (<see cref="EventKind.BookDelta"/>), snapshots included.</summary>
public sealed class DeltasSchema : SchemaDefinition
{
    public override SchemaKind Kind => SchemaKind.Deltas;
    public override int ReplayPriority => 1;
    public override EventKind? RowEvent => EventKind.BookDelta;

    public override void ToRow(in MarketEvent e, Span<long> row)
    {
        row[DeltaColumns.ExchangeTime] = e.ExchangeTime;
        row[DeltaColumns.ReceiveTime] = e.ReceiveTime;
        row[DeltaColumns.FirstUpdateId] = e.Id;
        row[DeltaColumns.LastUpdateId] = e.Id2;
        row[DeltaColumns.Side] = e.Side;
        row[DeltaColumns.Price] = e.Price;
        row[DeltaColumns.Quantity] = e.Quantity;
        row[DeltaColumns.Flags] = e.Flags;
    }

    public override void ToEvent(SegmentCursor c, ref MarketEvent e)
    {
        e.Kind = EventKind.BookDelta;
        e.Id = c[DeltaColumns.FirstUpdateId];
        e.Id2 = c[DeltaColumns.LastUpdateId];
        e.Side = (byte)c[DeltaColumns.Side];
        e.Price = c[DeltaColumns.Price];
        e.Quantity = c[DeltaColumns.Quantity];
        e.Flags = c[DeltaColumns.Flags];
    }

    public override Validation.SchemaRules CreateRules(SegmentReader segment, Validation.SeriesReport series, Validation.ValidationContext context)
        => new Validation.DeltasRules(series);
}
