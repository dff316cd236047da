using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TickEngine.Engine.Sessions;

/// <summary>
/// One recording run: its id (<c>session_20261207_230745</c>, the start in UTC), start and end (ns since the epoch),
/// exchanges, symbols, the options it ran with (never a credential), its counters and why it ended. Kept with the
/// segments as <c>&lt;root&gt;/_sessions/&lt;id&gt;.json</c> (written at the start, rewritten at the end: a session with
/// no end was killed or is running) and in the database sinks (<see cref="ISessionStore"/>).
/// </summary>
public sealed record CaptureSession(string Id, long StartNs, IReadOnlyList<string> Exchanges, IReadOnlyList<string> Symbols, IReadOnlyDictionary<string, string> Options)
{
    public const string Folder = "_sessions";

    public long? EndNs { get; init; }
    public string ExitReason { get; init; } = "running (or killed: no end was recorded)";
    public IReadOnlyDictionary<string, long> Counters { get; init; } = new Dictionary<string, long>();

    /// <summary>A new session starting now, its id unique in <paramref name="root"/>.</summary>
    public static CaptureSession Begin(string root, IReadOnlyList<string> exchanges, IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> options)
    {
        var now = DateTimeOffset.UtcNow;
        string id = "session_" + now.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture);
        string dir = Path.Combine(root, Folder);
        Directory.CreateDirectory(dir);
        for (int n = 2; File.Exists(Path.Combine(dir, id + ".json")); n++) id = "session_" + now.ToString("yyyyMMdd_HHmmss", CultureInfo.InvariantCulture) + "_" + n;
        var s = new CaptureSession(id, now.ToUnixTimeMilliseconds() * 1_000_000, exchanges, symbols, options);
        s.Save(root);
        return s;
    }

    public static bool IsId(string id) => id.StartsWith("session_", StringComparison.Ordinal) && id.Length <= 40 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>Writes the session's file (whole, by rename: a reader never sees half of it).</summary>
    public void Save(string root)
    {
        string dir = Path.Combine(root, Folder);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, Id + ".json"), tmp = path + ".tmp";
        File.WriteAllText(tmp, ToJson().ToJsonString(Written));
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Indented, and plain text kept plain (a reason's '+' is not written as \u002B).</summary>
    private static readonly JsonSerializerOptions Written = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public JsonObject ToJson() => new()
    {
        ["id"] = Id,
        ["start"] = Iso(StartNs),
        ["start_ns"] = StartNs,
        ["end"] = EndNs is { } e ? Iso(e) : null,
        ["end_ns"] = EndNs,
        ["exchanges"] = new JsonArray(Exchanges.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
        ["symbols"] = new JsonArray(Symbols.Select(x => (JsonNode)JsonValue.Create(x)!).ToArray()),
        ["options"] = new JsonObject(Options.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
        ["counters"] = new JsonObject(Counters.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)JsonValue.Create(kv.Value)))),
        ["exit_reason"] = ExitReason,
    };

    public static string Iso(long ns) => DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    /// <summary>Every session of <paramref name="root"/>, oldest first; files that cannot be read are named in <paramref name="bad"/>.</summary>
    public static List<CaptureSession> List(string root, List<string>? bad = null)
    {
        var list = new List<CaptureSession>();
        string dir = Path.Combine(root, Folder);
        if (!Directory.Exists(dir)) return list;
        foreach (var f in Directory.GetFiles(dir, "session_*.json").Order(StringComparer.Ordinal))
        {
            try { list.Add(Parse(File.ReadAllText(f))); }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or NullReferenceException) { bad?.Add($"{f}: {e.Message}"); }
        }
        return list.OrderBy(s => s.StartNs).ThenBy(s => s.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The session named <paramref name="id"/> in <paramref name="root"/>, or null.</summary>
    public static CaptureSession? Find(string root, string id)
    {
        if (!IsId(id)) return null;
        string path = Path.Combine(root, Folder, id + ".json");
        return File.Exists(path) ? Parse(File.ReadAllText(path)) : null;
    }

    public static CaptureSession Parse(string json)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        return new CaptureSession(
            (string)o["id"]!, (long)o["start_ns"]!,
            o["exchanges"]!.AsArray().Select(x => (string)x!).ToList(),
            o["symbols"]!.AsArray().Select(x => (string)x!).ToList(),
            o["options"]!.AsObject().ToDictionary(kv => kv.Key, kv => (string?)kv.Value ?? ""))
        {
            EndNs = o["end_ns"] is { } e ? (long)e : null,
            ExitReason = (string?)o["exit_reason"] ?? "",
            Counters = o["counters"]!.AsObject().ToDictionary(kv => kv.Key, kv => (long)kv.Value!),
        };
    }
}

/// <summary>A sink that keeps sessions too (the database sinks: a <c>tickengine_sessions</c> table).</summary>
public interface ISessionStore
{
    /// <summary>Inserts or replaces the session's row (on a connection of its own: any thread).</summary>
    void WriteSession(CaptureSession session);
}
