using System.Globalization;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// A sink given as text, <c>NAME:ARGS</c> (as <c>record --sink</c> takes it): ARGS is comma-separated, a value without
/// a key first (the sink's place: a folder, a URL, a connection string of <c>key=value;...</c>), then <c>key=value</c> pairs. The keys every sink takes:
/// <c>policy</c> (<c>block</c>, <c>drop</c>, <c>stop</c>, <c>catch-up</c>), <c>pause</c> and <c>resume</c> (queued rows),
/// <c>from</c> (<c>run</c> or <c>start</c>), <c>drain</c> (a duration). A key no one reads is an error.
/// </summary>
public sealed class SinkArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    private SinkArguments(string spec, string name, string? place)
    {
        Spec = spec;
        Name = name;
        Place = place;
    }

    /// <summary>The text as given.</summary>
    public string Spec { get; }

    /// <summary>The sink's kind (<c>parquet</c>).</summary>
    public string Name { get; }

    /// <summary>The value given without a key (the sink's folder or address), if any.</summary>
    public string? Place { get; }

    /// <summary>Parses <c>NAME:ARGS</c>; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static SinkArguments Parse(string spec)
    {
        int colon = spec.IndexOf(':');
        string name = (colon < 0 ? spec : spec[..colon]).Trim();
        if (name.Length == 0) throw new FormatException($"--sink '{spec}': give NAME:ARGS, e.g. parquet:pq or parquet:pq,policy=drop");
        string? place = null;
        var a = new SinkArguments(spec, name, null);
        if (colon >= 0)
        {
            var parts = spec[(colon + 1)..].Split(',');
            for (int i = 0; i < parts.Length; i++)
            {
                string part = parts[i];
                if (part.Length == 0) continue;
                int eq = part.IndexOf('=');
                // The first value is the place when it has no key, or when it is a connection string (key=value;key=value).
                if (eq < 0 || (i == 0 && part.Contains(';')))
                {
                    if (i != 0) throw new FormatException($"--sink '{spec}': '{part}' has no key; only the first value may come without one (key=value after it)");
                    place = part;
                    continue;
                }
                string key = part[..eq].Trim(), value = part[(eq + 1)..].Trim();
                if (key.Length == 0) throw new FormatException($"--sink '{spec}': '{part}' has no key");
                if (!a._values.TryAdd(key, value)) throw new FormatException($"--sink '{spec}': {key} is given twice");
            }
        }
        var parsed = new SinkArguments(spec, name, place);
        foreach (var kv in a._values) parsed._values[kv.Key] = kv.Value;
        return parsed;
    }

    /// <summary>A value, or null when not given.</summary>
    public string? Get(string key)
    {
        _read.Add(key);
        return _values.GetValueOrDefault(key);
    }

    /// <summary>A whole number from <paramref name="min"/> to <paramref name="max"/> (<c>_</c> and a k/M suffix allowed: 100k, 1M).</summary>
    public long? GetLong(string key, long min, long max)
    {
        if (Get(key) is not { } text) return null;
        string t = text.Replace("_", "");
        long factor = 1;
        if (t.EndsWith('k')) { factor = 1_000; t = t[..^1]; }
        else if (t.EndsWith('M')) { factor = 1_000_000; t = t[..^1]; }
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long n) || n > max / factor || n * factor < min)
            throw new FormatException($"--sink '{Spec}': {key} must be a whole number from {min:N0} to {max:N0}, got '{text}'");
        return n * factor;
    }

    /// <summary>A positive duration (<c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>).</summary>
    public TimeSpan? GetDuration(string key)
    {
        if (Get(key) is not { } text) return null;
        if (TryParseDuration(text, out var d) && d > TimeSpan.Zero) return d;
        throw new FormatException($"--sink '{Spec}': {key} must be a positive duration such as 500ms, 30s or 5m, got '{text}'");
    }

    /// <summary>A list of schema names (<c>trades+deltas</c>; '+' separates, since ',' separates the arguments).</summary>
    public IReadOnlySet<SchemaKind>? GetSchemas(string key)
    {
        if (Get(key) is not { } text) return null;
        var set = new HashSet<SchemaKind>();
        foreach (var n in text.Split('+', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!SegmentSchema.TryParseName(n, out var kind))
                throw new FormatException($"--sink '{Spec}': {key}: '{n}' is not a schema ({string.Join(", ", Enum.GetValues<SchemaKind>().Select(SegmentSchema.NameOf))}; join several with '+')");
            set.Add(kind);
        }
        return set;
    }

    /// <summary>The keys every sink takes, read into its runner's options.</summary>
    public SinkOptions RunnerOptions()
    {
        var o = new SinkOptions();
        if (Get("policy") is { } p)
            o = o with { Policy = TryParsePolicy(p, out var policy) ? policy : throw new FormatException($"--sink '{Spec}': policy must be block, drop, stop or catch-up, got '{p}'") };
        if (GetLong("pause", 1, long.MaxValue) is { } pause) o = o with { PauseRows = pause };
        if (GetLong("resume", 0, long.MaxValue) is { } resume)
        {
            if (resume > o.PauseRows) throw new FormatException($"--sink '{Spec}': resume ({resume:N0} rows) must not be above pause ({o.PauseRows:N0})");
            o = o with { ResumeRows = resume };
        }
        if (Get("from") is { } from)
            o = o with { Start = from switch { "run" => SinkStart.Run, "start" => SinkStart.Beginning, _ => throw new FormatException($"--sink '{Spec}': from must be run (rows from this run on) or start (every row of the data root), got '{from}'") } };
        if (GetDuration("drain") is { } drain) o = o with { DrainTimeout = drain };
        return o;
    }

    /// <summary>Throws when a key was given that nothing read.</summary>
    public void CheckAllRead(IEnumerable<string> known)
    {
        var unknown = _values.Keys.Where(k => !_read.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new FormatException($"--sink '{Spec}': {Name} takes no {string.Join(", ", unknown)} (it takes: {string.Join(", ", known)})");
    }

    public static bool TryParsePolicy(string text, out FailurePolicy policy)
    {
        policy = text switch { "block" => FailurePolicy.Block, "drop" => FailurePolicy.Drop, "stop" => FailurePolicy.Stop, "catch-up" or "catchup" => FailurePolicy.CatchUp, _ => (FailurePolicy)(-1) };
        return (int)policy >= 0;
    }

    public static string PolicyName(FailurePolicy p) => p switch
    {
        FailurePolicy.Block => "block",
        FailurePolicy.Drop => "drop",
        FailurePolicy.Stop => "stop",
        _ => "catch-up",
    };

    public static string StateName(SinkState s) => s switch
    {
        SinkState.Opening => "opening",
        SinkState.CatchingUp => "catching-up",
        SinkState.Live => "live",
        SinkState.Retrying => "retrying",
        SinkState.Done => "done",
        SinkState.Stopped => "stopped",
        _ => "abandoned",
    };

    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        string t = text.Trim();
        double factor = 1;
        if (t.EndsWith("ms", StringComparison.Ordinal)) { factor = 1e-3; t = t[..^2]; }
        else if (t.EndsWith('s')) t = t[..^1];
        else if (t.EndsWith('m')) { factor = 60; t = t[..^1]; }
        else if (t.EndsWith('h')) { factor = 3600; t = t[..^1]; }
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n) || !double.IsFinite(n) || n * factor > 86400 * 7) return false;
        value = TimeSpan.FromSeconds(n * factor);
        return true;
    }
}
