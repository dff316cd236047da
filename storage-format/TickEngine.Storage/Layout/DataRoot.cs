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

    /// <summary>
    /// Every segment under <paramref name="root"/> (optionally of one schema, symbol and exchange), in path order.
    /// The walk follows the layout exactly (<c>exchange/symbol/schema/day.tks</c>, no deeper) and never follows a
    /// symbolic link: a link to a folder (a loop, say) or to a file is left out and listed in
    /// <paramref name="skipped"/>, so no row is read twice and no FIFO or device is opened through the root.
    /// </summary>
    public static List<string> FindSegments(string root, SchemaKind? schema = null, string? symbol = null, string? exchange = null, List<string>? skipped = null)
    {
        var found = new List<string>();
        if (!Directory.Exists(root)) return found;
        var plain = new EnumerationOptions { RecurseSubdirectories = false, AttributesToSkip = 0, IgnoreInaccessible = true };
        IEnumerable<DirectoryInfo> Dirs(DirectoryInfo d)
        {
            foreach (var e in d.EnumerateDirectories("*", plain))
            {
                if ((e.Attributes & FileAttributes.ReparsePoint) != 0) { skipped?.Add(e.FullName); continue; }
                yield return e;
            }
        }
        foreach (var ex in Dirs(new DirectoryInfo(root)))
        {
            if (exchange is not null && !string.Equals(ex.Name, exchange, StringComparison.OrdinalIgnoreCase)) continue;
            foreach (var sym in Dirs(ex))
            {
                if (symbol is not null && !string.Equals(sym.Name, symbol, StringComparison.OrdinalIgnoreCase)) continue;
                foreach (var sch in Dirs(sym))
                {
                    if (schema is { } s && sch.Name != SegmentSchema.NameOf(s)) continue;
                    foreach (var f in sch.EnumerateFiles("*" + Extension, plain))
                    {
                        if ((f.Attributes & FileAttributes.ReparsePoint) != 0) { skipped?.Add(f.FullName); continue; }
                        found.Add(f.FullName);
                    }
                }
            }
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }

    /// <summary>Exchange and symbol names become directory names: no separators, no dots-only names, no control characters.</summary>
    public static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.All(c => c == '.') || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.Any(char.IsControl))
            throw new ArgumentException($"{what} '{name}' cannot be used as a directory name");
    }
}
