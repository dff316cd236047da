using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Sinks;

/// <summary>The segments of a data root and their committed rows: what a sink's runner reads back from.</summary>
internal static class StreamSegments
{
    /// <summary>The path of a segment.</summary>
    public static string PathOf(string root, SegmentId id) =>
        DataRoot.SegmentPath(root, id.Stream.Exchange, id.Stream.Symbol, id.Stream.Schema, id.Day, id.Part);

    /// <summary>Every segment of the root whose schema <paramref name="accepts"/> says yes, with its committed rows now.</summary>
    public static Dictionary<SegmentId, long> Rows(string root, Func<SchemaKind, bool> accepts, List<string> problems)
    {
        var rows = new Dictionary<SegmentId, long>();
        foreach (var path in DataRoot.FindSegments(root))
        {
            if (!DataRoot.TryParseName(path, out long day, out int part)) continue;
            string? schemaDir = Path.GetDirectoryName(path), symbolDir = Path.GetDirectoryName(schemaDir), exchangeDir = Path.GetDirectoryName(symbolDir);
            if (schemaDir is null || symbolDir is null || exchangeDir is null) continue;
            if (!SegmentSchema.TryParseName(Path.GetFileName(schemaDir), out var kind) || !accepts(kind)) continue;
            var id = new SegmentId(new StreamKey(Path.GetFileName(exchangeDir), Path.GetFileName(symbolDir), kind), day, part);
            try
            {
                using var r = SegmentReader.Open(path);
                rows[id] = r.TotalRows;
            }
            catch (StorageFormatException e)
            {
                problems.Add($"{path}: {e.Message}; its rows are not given to sinks");
            }
        }
        return rows;
    }
}
