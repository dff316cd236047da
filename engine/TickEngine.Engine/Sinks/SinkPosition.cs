using System.Globalization;
using TickEngine.Storage.Layout;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// A place in one stream's segments: row <see cref="Row"/> of the segment of day <see cref="Day"/> (UTC midnight, ns),
/// part <see cref="Part"/> (<c>YYYY-MM-DD.n.tks</c>). Rows are numbered from the segment's first row over every run
/// that appended to it, so a position names the same row forever. As the end of what a sink holds, it is the first
/// row the sink does not hold. Positions order by day, part, then row.
/// </summary>
public readonly record struct SinkPosition(long Day, int Part, long Row) : IComparable<SinkPosition>
{
    /// <summary>Before every row of a stream (a sink that takes a stream from its first segment).</summary>
    public static readonly SinkPosition Beginning = new(long.MinValue, 0, 0);

    /// <summary>The position <paramref name="rows"/> rows further in the same segment.</summary>
    public SinkPosition Plus(long rows) => this with { Row = Row + rows };

    /// <summary>True when both are in the same segment.</summary>
    public bool SameSegment(SinkPosition other) => Day == other.Day && Part == other.Part;

    public int CompareTo(SinkPosition other) =>
        Day != other.Day ? Day.CompareTo(other.Day) : Part != other.Part ? Part.CompareTo(other.Part) : Row.CompareTo(other.Row);

    public static bool operator <(SinkPosition a, SinkPosition b) => a.CompareTo(b) < 0;
    public static bool operator >(SinkPosition a, SinkPosition b) => a.CompareTo(b) > 0;
    public static bool operator <=(SinkPosition a, SinkPosition b) => a.CompareTo(b) <= 0;
    public static bool operator >=(SinkPosition a, SinkPosition b) => a.CompareTo(b) >= 0;

    /// <summary>The segment's file name without its extension (<c>2026-12-07</c>, <c>2026-12-07.2</c>).</summary>
    public string SegmentName
    {
        get
        {
            if (Day == long.MinValue) return "beginning";
            string day = DateTimeOffset.FromUnixTimeMilliseconds(Day / 1_000_000).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            return Part == 0 ? day : day + "." + Part.ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary><c>2026-12-07.0:1234</c>: the segment's day and part, and the row.</summary>
    public override string ToString() => Day == long.MinValue ? "beginning" : SegmentName + (Part == 0 ? ".0" : "") + ":" + Row.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parses <see cref="ToString"/>'s form.</summary>
    public static bool TryParse(string text, out SinkPosition position)
    {
        position = default;
        if (text == "beginning") { position = Beginning; return true; }
        int colon = text.LastIndexOf(':');
        if (colon < 0 || !long.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long row)) return false;
        string seg = text[..colon];
        if (seg.EndsWith(".0", StringComparison.Ordinal)) seg = seg[..^2];
        if (!DataRoot.TryParseName(seg + DataRoot.Extension, out long day, out int part)) return false;
        position = new SinkPosition(day, part, row);
        return true;
    }

    /// <summary>The position of row <paramref name="row"/> of the segment at <paramref name="path"/>; false when the name is not a segment's.</summary>
    public static bool TryOfSegment(string path, long row, out SinkPosition position)
    {
        position = default;
        if (!DataRoot.TryParseName(path, out long day, out int part)) return false;
        position = new SinkPosition(day, part, row);
        return true;
    }
}
