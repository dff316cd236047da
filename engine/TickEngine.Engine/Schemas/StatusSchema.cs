using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Schemas;

/// <summary>status: one row per marker (<see cref="EventKind.Status"/>), committed at once.</summary>
public sealed class StatusSchema : SchemaDefinition
{
    public override SchemaKind Kind => SchemaKind.Status;
    public override int ReplayPriority => 0;
    public override EventKind? RowEvent => EventKind.Status;
    public override bool CommitEachRow => true;

    public override void ToRow(in MarketEvent e, Span<long> row)
    {
        row[StatusColumns.ExchangeTime] = e.ExchangeTime;
        row[StatusColumns.ReceiveTime] = e.ReceiveTime;
        row[StatusColumns.Kind] = e.Side;
        row[StatusColumns.A] = e.Id;
        row[StatusColumns.B] = e.Id2;
        row[StatusColumns.Flags] = 0;
    }

    public override void ToEvent(SegmentCursor c, ref MarketEvent e)
    {
        e.Kind = EventKind.Status;
        e.Side = (byte)c[StatusColumns.Kind];
        e.Id = c[StatusColumns.A];
        e.Id2 = c[StatusColumns.B];
    }

    public override Validation.SchemaRules CreateRules(SegmentReader segment, Validation.SeriesReport series, Validation.ValidationContext context)
        => new Validation.StatusRules();
}
