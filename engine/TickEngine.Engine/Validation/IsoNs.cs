using System.Globalization;

namespace TickEngine.Engine.Validation;

/// <summary>Nanoseconds since the epoch as ISO-8601 UTC text, its fraction as long as it needs (<c>2024-08-08T23:54:13.123456789Z</c>).</summary>
public static class IsoNs
{
    public static string Format(long ns)
    {
        long seconds = Math.DivRem(ns, 1_000_000_000L, out long frac);
        if (frac < 0) { seconds--; frac += 1_000_000_000; }
        var dt = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
        string s = dt.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture);
        if (frac != 0) s += "." + frac.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        return s + "Z";
    }
}
