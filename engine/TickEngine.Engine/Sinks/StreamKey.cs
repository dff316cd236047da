using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// One stream of rows in a data root: an exchange's symbol in one schema, whose segments are
/// <c>exchange/symbol/schema/YYYY-MM-DD[.n].tks</c>. Compared by value.
/// </summary>
public sealed record StreamKey(string Exchange, string Symbol, SchemaKind Schema)
{
    /// <summary><c>exchange/symbol/schema</c>, as in the data root.</summary>
    public override string ToString() => $"{Exchange}/{Symbol}/{SegmentSchema.NameOf(Schema)}";

    /// <summary>Parses <see cref="ToString"/>'s form; false for anything else.</summary>
    public static bool TryParse(string text, out StreamKey key)
    {
        key = null!;
        var parts = text.Split('/');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || !SegmentSchema.TryParseName(parts[2], out var kind)) return false;
        key = new StreamKey(parts[0], parts[1], kind);
        return true;
    }
}
