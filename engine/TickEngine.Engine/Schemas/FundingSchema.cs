using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Schemas;

/// <summary>funding: one row per funding update (<see cref="EventKind.Funding"/>), the rate at its own decimal scale.</summary>
public sealed class FundingSchema : SchemaDefinition
{
    public override SchemaKind Kind => SchemaKind.Funding;
    public override int ReplayPriority => 2;
    public override EventKind? RowEvent => EventKind.Funding;

    public override void ToRow(in MarketEvent e, Span<long> row)
    {
        row[FundingColumns.ExchangeTime] = e.ExchangeTime;
        row[FundingColumns.ReceiveTime] = e.ReceiveTime;
        row[FundingColumns.FundingRate] = e.FundingRate;
        row[FundingColumns.NextFunding] = e.NextFunding;
        row[FundingColumns.MarkPrice] = e.MarkPrice;
        row[FundingColumns.IndexPrice] = e.IndexPrice;
        row[FundingColumns.Flags] = e.Flags;
    }

    public override int DecimalScaleOf(in MarketEvent e) => e.FundingRateScale;

    public override void ToEvent(SegmentCursor c, ref MarketEvent e)
    {
        e.Kind = EventKind.Funding;
        e.FundingRate = c[FundingColumns.FundingRate];
        e.FundingRateScale = c.Reader.Schema.DecimalScale;
        e.NextFunding = c[FundingColumns.NextFunding];
        e.MarkPrice = c[FundingColumns.MarkPrice];
        e.IndexPrice = c[FundingColumns.IndexPrice];
        e.Flags = c[FundingColumns.Flags];
    }

    public override Validation.SchemaRules CreateRules(SegmentReader segment, Validation.SeriesReport series, Validation.ValidationContext context)
        => new Validation.FundingRules();
}
