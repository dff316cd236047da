
namespace TickEngine.Engine.Ingest;

/// <summary>
/// The rules every frame's values must meet before anything is published, the same for every exchange: times are
/// converted to nanoseconds without overflow and fall in [2000-01-01, 2100-01-01); an exchange time lies within
/// <see cref="MaxClockSkew"/> of the receive time (one frame dated a day ahead must not move the clocks that cut
/// bars, L2 boundaries and day files); prices are positive, quantities positive in trades and non-negative in
/// levels (0 removes a level); a symbol is a name that can be a directory. A frame that breaks one is malformed,
/// counted by kind with a sample, and nothing of it is published. Immutable; thread-safe.
/// </summary>
public sealed record FrameRules
{
    /// <summary>The default bound on |exchange time - receive time|: a recorder's clock must be synced far closer.</summary>
    public static readonly TimeSpan DefaultMaxClockSkew = TimeSpan.FromSeconds(10);

    /// <summary>2000-01-01T00:00:00Z in ns: no exchange data is older.</summary>
    public const long MinTimeNs = 946_684_800_000_000_000;

    /// <summary>2100-01-01T00:00:00Z in ns.</summary>
    public const long MaxTimeNs = 4_102_444_800_000_000_000;

    public static FrameRules Default { get; } = new();

    /// <summary>
    /// No clock-skew bound: for frames whose exchange times are from the past on purpose (a recording served as a
    /// market, the simulator playing a capture). Every other rule still applies.
    /// </summary>
    public static FrameRules NoSkewBound { get; } = new() { MaxClockSkew = Timeout.InfiniteTimeSpan };

    public bool SkewBounded => MaxClockSkew != Timeout.InfiniteTimeSpan;

    /// <summary>The largest |exchange time - receive time| accepted.</summary>
    public TimeSpan MaxClockSkew { get; init; } = DefaultMaxClockSkew;

    public long MaxClockSkewNs => SkewBounded ? (long)Math.Min(MaxClockSkew.TotalMilliseconds * 1_000_000, long.MaxValue / 2) : long.MaxValue;

    public const string TimeOutOfRange = "time out of range (not a time between 2000 and 2100)";
    public const string ReceiveTimeOutOfRange = "receive time out of range (not a time between 2000 and 2100)";
    public const string BadPrice = "zero or negative price";
    public const string BadQuantity = "zero or negative quantity";
    public const string BadLevel = "level with a zero or negative price or a negative quantity";
    public const string DuplicateKey = "a key given twice in one object";
    public const string BadSymbol = "symbol that cannot be a name (empty, over 32 characters, '.', '..' or not letters, digits, '-', '_', '.')";

    public string SkewReason => $"exchange time more than {MaxClockSkew.TotalSeconds:0.###} s from the receive time (--max-clock-skew)";

    /// <summary><paramref name="value"/> units of <paramref name="unitNs"/> ns as ns, when that is a time in range.</summary>
    public static bool TryTime(long value, long unitNs, out long ns)
    {
        if (value <= 0 || value > MaxTimeNs / unitNs)
        {
            ns = 0;
            return false;
        }
        ns = value * unitNs;
        return ns >= MinTimeNs;
    }

    public static bool InRange(long ns) => ns >= MinTimeNs && ns < MaxTimeNs;

    /// <summary>
    /// The checks every frame passes before it is parsed: counts it, and counts it malformed (false) when its receive
    /// time is out of range or its bytes are not UTF-8.
    /// </summary>
    public static bool Admit(IngestCounters counters, ReadOnlySpan<byte> frame, long receiveNs)
    {
        counters.Frames++;
        if (!InRange(receiveNs)) { counters.AddMalformed(ReceiveTimeOutOfRange, frame); return false; }
        if (!System.Text.Unicode.Utf8.IsValid(frame)) { counters.AddMalformed("not valid UTF-8", frame); return false; }
        return true;
    }

    /// <summary>True when the exchange time is within the skew bound of the receive time.</summary>
    public bool WithinSkew(long exchangeNs, long receiveNs)
    {
        if (!SkewBounded) return true;
        long d = exchangeNs - receiveNs;
        long max = MaxClockSkewNs;
        return d <= max && d >= -max;
    }

    /// <summary>True when <paramref name="name"/> (UTF-8) may name an instrument, and so a directory of the data root.</summary>
    public static bool IsName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || name.Length > 32) return false;
        bool onlyDots = true;
        foreach (byte b in name)
        {
            if (!(b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'_' or (byte)'.')) return false;
            if (b != (byte)'.') onlyDots = false;
        }
        return !onlyDots;
    }

    /// <summary>The same rule for a name given as text (command lines, REST URLs): it must also be a valid data-root name.</summary>
    public static bool IsName(string name)
    {
        if (name.Length is 0 or > 32) return false;
        Span<byte> utf8 = stackalloc byte[32];
        for (int i = 0; i < name.Length; i++)
        {
            if (name[i] > 127) return false;
            utf8[i] = (byte)name[i];
        }
        return IsName(utf8[..name.Length]);
    }
}
