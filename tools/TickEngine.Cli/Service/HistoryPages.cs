using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Service;

/// <summary>
/// History of one stream (exchange, symbol, schema) in pages: a page is the rows with exchange time in [start, end)
/// from a position (<c>DAY.PART.ROW</c>: a row of a segment, the same row forever) on, at most <c>limit</c> of them;
/// the next page's cursor is the position of the first row after it, known before the page is sent (a pass over
/// the rows' times), so it comes as a header whatever the format.
/// </summary>
public static class HistoryPages
{
    public readonly record struct Position(long Day, int Part, long Row) : IComparable<Position>
    {
        public int CompareTo(Position o) => (Day, Part, Row).CompareTo((o.Day, o.Part, o.Row));
        public override string ToString() => FormattableString.Invariant($"{Day}.{Part}.{Row}");

        public static bool TryParse(string text, out Position p)
        {
            p = default;
            var f = text.Split('.');
            if (f.Length != 3 || !long.TryParse(f[0], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long day) ||
                !int.TryParse(f[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int part) ||
                !long.TryParse(f[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long row)) return false;
            p = new Position(day, part, row);
            return true;
        }
    }

    /// <summary>The stream's segments in order (day, part).</summary>
    public static List<(string Path, long Day, int Part)> Segments(string root, SchemaKind kind, string exchange, string symbol) =>
        DataRoot.FindSegments(root, kind, symbol, exchange)
            .Select(p => DataRoot.TryParseName(p, out long day, out int part) ? (p, day, part) : (p, long.MinValue, -1))
            .Where(x => x.Item3 >= 0).ToList();

    /// <summary>The rows from <paramref name="from"/> (inclusive) to <paramref name="until"/> (exclusive; null: the end) whose time is in range: the cursor on each, and its position.</summary>
    public static IEnumerable<(SegmentCursor Cursor, Position At)> Rows(List<(string Path, long Day, int Part)> segments, Position from, Position? until, long startNs, long endNs)
    {
        foreach (var (path, day, part) in segments)
        {
            if ((day, part).CompareTo((from.Day, from.Part)) < 0) continue;
            if (until is { } u && (day, part).CompareTo((u.Day, u.Part)) > 0) yield break;
            using var reader = SegmentReader.Open(path);
            using var c = new SegmentCursor(reader, ownsReader: false);
            long n = 0;
            while (c.MoveNext())
            {
                var at = new Position(day, part, n++);
                if (at.CompareTo(from) < 0) continue;
                if (until is { } v && at.CompareTo(v) >= 0) yield break;
                long t = c[SegmentSchema.ExchangeTime];
                if (t < startNs || t >= endNs) continue;
                yield return (c, at);
            }
        }
    }

    /// <summary>Where the page after <paramref name="limit"/> rows from <paramref name="from"/> starts: the position of the next row in range, or null when the page holds the rest.</summary>
    public static Position? Next(List<(string Path, long Day, int Part)> segments, Position from, long startNs, long endNs, long limit, CancellationToken cancel)
    {
        long seen = 0;
        foreach (var (_, at) in Rows(segments, from, null, startNs, endNs))
        {
            if (seen++ == limit) return at;
            if ((seen & 0xFFFF) == 0 && cancel.IsCancellationRequested) return null;
        }
        return null;
    }
}
