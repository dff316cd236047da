using TickEngine.Storage.Reading;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Schemas;

/// <summary>bars: OHLCV bars derived by <see cref="Handlers.BarAggregatorHandler"/>; replayed as row parts.</summary>
public sealed class BarsSchema : SchemaDefinition
{
    public override SchemaKind Kind => SchemaKind.Bars;
    public override int ReplayPriority => 4;

    public override Validation.SchemaRules CreateRules(SegmentReader segment, Validation.SeriesReport series, Validation.ValidationContext context)
        => new Validation.BarsRules(segment, series);

    public override void FinishValidation(Validation.ValidationContext context) => Validation.BarsRules.Finish(context);
}
