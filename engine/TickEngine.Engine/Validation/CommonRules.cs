using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>The checks every schema shares and nothing more (a schema without rules of its own).</summary>
public sealed class CommonRules : SchemaRules
{
    public override void Check(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at) { }
}
