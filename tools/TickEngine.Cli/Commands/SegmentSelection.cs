using TickEngine.Cli.CommandLine;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Commands;

/// <summary>Resolves PATH (one segment, or a data root with --schema/--symbol/--exchange) into segment files.</summary>
public static class SegmentSelection
{
    public static List<string> Resolve(string path, SchemaKind? schema, string? symbol, string? exchange, bool schemaRequiredForRoot)
    {
        if (File.Exists(path)) return [path];
        if (!Directory.Exists(path)) throw new UsageException($"{path}: no such file or directory");
        if (schema is null && schemaRequiredForRoot) throw new UsageException($"{path} is a data root: say which rows with --schema trades|l2|bars|deltas|status");
        var files = DataRoot.FindSegments(path, schema, symbol, exchange);
        if (files.Count == 0)
            throw new InputException($"{path}: no segments{(schema is null ? "" : $" of schema {SegmentSchema.NameOf(schema.Value)}")}{(symbol is null ? "" : $" for symbol {symbol}")}{(exchange is null ? "" : $" on {exchange}")}");
        return files;
    }

    public static SchemaKind? ParseSchema(string? text)
    {
        if (text is null) return null;
        if (!SegmentSchema.TryParseName(text, out var kind)) throw new UsageException($"--schema must be trades, l2, bars, deltas or status, got '{text}'");
        return kind;
    }

    /// <summary>Groups files into runs that can be merged (same schema, same layout), ordered by day then path.</summary>
    public static List<List<SegmentReader>> OpenByDay(List<string> files)
    {
        var readers = new List<SegmentReader>();
        try
        {
            foreach (var f in files) readers.Add(SegmentReader.Open(f));
        }
        catch
        {
            foreach (var r in readers) r.Dispose();
            throw;
        }
        return readers.GroupBy(r => r.Header.DayStartNs).OrderBy(g => g.Key).Select(g => g.ToList()).ToList();
    }
}
