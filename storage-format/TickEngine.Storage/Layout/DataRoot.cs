using System.Globalization;
using TickEngine.Storage.Format;

namespace TickEngine.Storage.Layout;

/// <summary>
/// Paths of a data root (FORMAT.md, "Layout on disk"): <c>&lt;root&gt;/&lt;exchange&gt;/&lt;symbol&gt;/&lt;schema&gt;/&lt;YYYY-MM-DD&gt;.tks</c>,
/// one segment per UTC day of exchange time, continued in <c>&lt;YYYY-MM-DD&gt;.&lt;n&gt;.tks</c> (n = 1, 2, ...) when the
/// day's rows change scales or columns (or the day's segment is damaged and may not be appended to).
/// </summary>
public static class DataRoot
{
    public const string Extension = ".tks";
    public const long NanosPerDay = 86_400_000_000_000L;

    /// <summary>UTC midnight (ns) of the day holding <paramref name="timestampNs"/>.</summary>
    public static long DayStart(long timestampNs) => timestampNs - (((timestampNs % NanosPerDay) + NanosPerDay) % NanosPerDay);

    /// <summary>The most continuation segments a day may have (<c>.1</c> .. <c>.999</c>).</summary>
    public const int MaxPart = 999;

    /// <summary>The segment path for a day; <paramref name="part"/> &gt; 0 names a continuation segment (<c>YYYY-MM-DD.n.tks</c>).</summary>
    public static string SegmentPath(string root, string exchange, string symbol, SchemaKind schema, long dayStartNs, int part = 0)
    {
        CheckName(exchange, "exchange");
        CheckName(symbol, "symbol");
        if (part is < 0 or > MaxPart) throw new ArgumentOutOfRangeException(nameof(part), $"a day has at most {MaxPart} continuation segments");
        var day = DateTimeOffset.FromUnixTimeMilliseconds(dayStartNs / 1_000_000).UtcDateTime;
        string name = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + (part == 0 ? "" : "." + part.ToString(CultureInfo.InvariantCulture));
        return Path.Combine(root, exchange, symbol, SegmentSchema.NameOf(schema), name + Extension);
    }

    /// <summary>
    /// The day (UTC midnight, ns) and part a segment's file name says: <c>2024-08-08.tks</c> is part 0,
    /// <c>2024-08-08.2.tks</c> part 2. False for any other name.
    /// </summary>
    public static bool TryParseName(string path, out long dayStartNs, out int part)
    {
        dayStartNs = 0;
        part = 0;
        string name = Path.GetFileName(path);
        if (!name.EndsWith(Extension, StringComparison.Ordinal) || name.Length < 10 + Extension.Length) return false;
        if (!DateTime.TryParseExact(name.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)) return false;
        var rest = name.AsSpan(10, name.Length - 10 - Extension.Length);
        if (rest.Length > 0)
        {
            if (rest[0] != '.' || rest.Length is < 2 or > 4 || rest[1] == '0') return false;
            foreach (char c in rest[1..]) if (c is < '0' or > '9') return false;
            part = int.Parse(rest[1..], CultureInfo.InvariantCulture);
        }
        dayStartNs = (date.Ticks - DateTime.UnixEpoch.Ticks) * 100;
        return true;
    }

    /// <summary>The parts of a day that exist on disk, in order (0 is the day's first segment).</summary>
    public static List<int> ExistingParts(string root, string exchange, string symbol, SchemaKind schema, long dayStartNs)
    {
        var parts = new List<int>();
        string dir = Path.GetDirectoryName(SegmentPath(root, exchange, symbol, schema, dayStartNs))!;
        if (!Directory.Exists(dir)) return parts;
        foreach (var f in Directory.EnumerateFiles(dir, "*" + Extension))
            if (TryParseName(f, out long day, out int part) && day == dayStartNs) parts.Add(part);
        parts.Sort();
        return parts;
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
        found.Sort(CompareSegmentPaths);
        return found;
    }

    /// <summary>Path order with a day's parts in order: <c>2024-08-08.tks</c>, <c>2024-08-08.1.tks</c>, <c>2024-08-09.tks</c>.</summary>
    public static int CompareSegmentPaths(string? a, string? b)
    {
        if (a is null || b is null) return string.CompareOrdinal(a, b);
        int c = string.CompareOrdinal(Path.GetDirectoryName(a), Path.GetDirectoryName(b));
        if (c != 0) return c;
        if (TryParseName(a, out long da, out int pa) && TryParseName(b, out long db, out int pb))
            return da != db ? da.CompareTo(db) : pa.CompareTo(pb);
        return string.CompareOrdinal(a, b);
    }

    /// <summary>Exchange and symbol names become directory names: no separators, no dots-only names, no control characters.</summary>
    public static void CheckName(string name, string what)
    {
        if (string.IsNullOrEmpty(name) || name.All(c => c == '.') || name.IndexOfAny(['/', '\\', '\0']) >= 0 || name.Any(char.IsControl))
            throw new ArgumentException($"{what} '{name}' cannot be used as a directory name");
    }
}
