using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>One segment of a stream: <c>exchange/symbol/schema/YYYY-MM-DD[.part].tks</c>. Rows are only ever appended to a segment, so a row count is a place in it.</summary>
public readonly record struct SegmentId(StreamKey Stream, long Day, int Part)
{
    /// <summary>The segment of a position in a stream.</summary>
    public static SegmentId Of(StreamKey stream, SinkPosition at) => new(stream, at.Day, at.Part);

    /// <summary>Row <paramref name="row"/> of this segment.</summary>
    public SinkPosition At(long row) => new(Day, Part, row);

    /// <summary><c>binance/BTCUSDT/trades/2026-12-07.0</c>.</summary>
    public override string ToString() => $"{Stream}/{At(0).SegmentName}{(Part == 0 ? ".0" : "")}";

    /// <summary>Parses <see cref="ToString"/>'s form.</summary>
    public static bool TryParse(string text, out SegmentId id)
    {
        id = default;
        int slash = text.LastIndexOf('/');
        if (slash < 0 || !StreamKey.TryParse(text[..slash], out var stream) || !SinkPosition.TryParse(text[(slash + 1)..] + ":0", out var p)) return false;
        id = new SegmentId(stream, p.Day, p.Part);
        return true;
    }
}
