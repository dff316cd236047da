using System.Text.Json;
using System.Text.Json.Nodes;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// The data root's record of the sinks attached to it (<c>.sinks.jsonl</c>, one JSON object a line): for each target,
/// the moment it was first attached and how many rows every segment of the root held then. The target's rows of a
/// segment start there; a segment not listed had none. Written once per target, before the recording that attaches
/// it writes a row, so no row committed with the sink attached can be missed by a later run.
/// </summary>
internal static class SinkLedger
{
    public const string FileName = ".sinks.jsonl";

    public static string PathOf(string root) => Path.Combine(root, FileName);

    /// <summary>The attachment of <paramref name="target"/>, if any: rows each segment listed held then. Unreadable lines are reported in <paramref name="problems"/>.</summary>
    public static Dictionary<SegmentId, long>? Load(string root, string target, List<string> problems)
    {
        string path = PathOf(root);
        if (!File.Exists(path)) return null;
        int lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            if (line.Length == 0) continue;
            JsonObject? o;
            try { o = JsonNode.Parse(line) as JsonObject; }
            catch (JsonException e) { problems.Add($"{path} line {lineNo}: not JSON ({e.Message}); the line is ignored"); continue; }
            string? t = null;
            try { t = o?["target"]?.GetValue<string>(); } catch (InvalidOperationException) { }
            if (t is null) { problems.Add($"{path} line {lineNo}: no target; the line is ignored"); continue; }
            if (t != target) continue;
            var starts = new Dictionary<SegmentId, long>();
            if (o!["segments"] is JsonObject segments)
                foreach (var (k, v) in segments)
                {
                    long rows = -1;
                    try { rows = v?.GetValue<long>() ?? -1; } catch (InvalidOperationException) { } catch (FormatException) { }
                    if (SegmentId.TryParse(k, out var id) && rows >= 0) starts[id] = rows;
                    else problems.Add($"{path} line {lineNo}: segment '{k}' with {v} rows is not readable; the sink takes it from its first row");
                }
            return starts; // the first attachment of a target is the one that counts
        }
        return null;
    }

    /// <summary>Records that <paramref name="target"/> is attached now, with the rows each segment holds (synced to disk before returning).</summary>
    public static void Attach(string root, string target, IReadOnlyDictionary<SegmentId, long> rows)
    {
        var o = new JsonObject
        {
            ["target"] = target,
            ["attached_at"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["segments"] = new JsonObject(rows.Where(kv => kv.Value > 0).OrderBy(kv => kv.Key.ToString(), StringComparer.Ordinal)
                .Select(kv => KeyValuePair.Create(kv.Key.ToString(), (JsonNode?)JsonValue.Create(kv.Value)))),
        };
        Directory.CreateDirectory(root);
        using var f = new FileStream(PathOf(root), FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytes = System.Text.Encoding.UTF8.GetBytes(o.ToJsonString() + "\n");
        f.Write(bytes);
        f.Flush(true);
    }
}
