using TickEngine.Storage.Reading;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Schemas;

/// <summary>l2: samples of the book derived by <see cref="Handlers.L2SamplerHandler"/>; replayed as row parts.</summary>
public sealed class L2Schema : SchemaDefinition
{
    public override SchemaKind Kind => SchemaKind.L2;
    public override int ReplayPriority => 3;

    public override Validation.SchemaRules CreateRules(SegmentReader segment, Validation.SeriesReport series, Validation.ValidationContext context)
        => new Validation.L2Rules(segment);
}
