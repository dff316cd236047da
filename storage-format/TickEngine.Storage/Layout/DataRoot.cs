using System.Globalization;
using TickEngine.Storage.Format;

namespace TickEngine.Storage.Layout;

/// <summary>
/// Paths of a data root (FORMAT.md, "Layout on disk"): <c>&lt;root&gt;/&lt;exchange&gt;/&lt;symbol&gt;/&lt;schema&gt;/&lt;YYYY-MM-DD&gt;.tks</c>,
/// one segment per UTC day of exchange time.
/// </summary>
public static class DataRoot
{
    public const string Extension = ".tks";
    public const long NanosPerDay = 86_400_000_000_000L;

    /// <summary>UTC midnight (ns) of the day holding <paramref name="timestampNs"/>.</summary>
    public static long DayStart(long timestampNs) => timestampNs - (((timestampNs % NanosPerDay) + NanosPerDay) % NanosPerDay);

    /// <summary>The segment path for a day.</summary>
    public static string SegmentPath(string root, string exchange, string symbol, SchemaKind schema, long dayStartNs)
    {
        CheckName(exchange, "exchange");
        CheckName(symbol, "symbol");
        var day = DateTimeOffset.FromUnixTimeMilliseconds(dayStartNs / 1_000_000).UtcDateTime;
        return Path.Combine(root, exchange, symbol, SegmentSchema.NameOf(schema), day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + Extension);
    }

    /// <summary>Every segment under <paramref name="root"/>, optionally of one schema and symbol, in path order.</summary>
    public static List<string> FindSegments(string root, SchemaKind? schema = null, string? symbol = null, string? exchange = null)
    {
        var found = new List<string>();
        if (!Directory.Exists(root)) return found;
        foreach (string file in Directory.EnumerateFiles(root, "*" + Extension, SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(root, file).Split(Path.DirectorySeparatorChar);
            if (rel.Length < 4) continue;
            string ex = rel[^4], sym = rel[^3], sch = rel[^2];
            if (schema is { } s && sch != SegmentSchema.NameOf(s)) continue;
            if (symbol is not null && !string.Equals(sym, symbol, StringComparison.OrdinalIgnoreCase)) continue;
            if (exchange is not null && !string.Equals(ex, exchange, StringComparison.OrdinalIgnoreCase)) continue;
            found.Add(file);
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>Exchange and symbol names become directory names: no separators, no dots-only names, no control characters.</summary>
    public static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name == "." || name == ".." || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.Any(char.IsControl))
            throw new ArgumentException($"{what} '{name}' cannot be used as a directory name");
    }
}
