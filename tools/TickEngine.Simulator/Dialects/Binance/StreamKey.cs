using TickEngine.Simulator.Market;

namespace TickEngine.Simulator.Dialects.Binance;

/// <summary>
/// Normalises Binance stream names for matching subscriptions: lower case; every diff-depth speed
/// (<c>@depth</c>, <c>@depth@100ms</c>, <c>@depth@0ms</c>) is one stream family, as are the partial depths of one size.
/// </summary>
public static class StreamKey
{
    public static string Of(string stream)
    {
        string s = stream.ToLowerInvariant();
        int at = s.IndexOf('@');
        if (at < 0) return s;
        string symbol = s[..at], type = s[(at + 1)..];
        int speed = type.IndexOf('@');
        if (speed > 0) type = type[..speed];
        return symbol + "@" + type;
    }
}
