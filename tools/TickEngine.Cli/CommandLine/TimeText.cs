using System.Globalization;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.CommandLine;

/// <summary>Times on the command line: epoch milliseconds (digits, optionally with a fraction) or ISO-8601 (UTC unless an offset is given).</summary>
public static class TimeText
{
    public static long ParseToNanos(string text, string option)
    {
        if (IsEpochMillis(text))
        {
            if (FixedDecimal.TryParse(text.AsSpan(), 6, out long ns, out _)) return ns;
            throw new UsageException($"option {option}: '{text}' is not a valid epoch-milliseconds time");
        }
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var dto))
            return (dto.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;
        throw new UsageException($"option {option}: '{text}' is neither epoch milliseconds nor an ISO-8601 time (e.g. 2024-08-08T23:55:00Z)");
    }

    private static bool IsEpochMillis(string text)
    {
        int i = text.StartsWith('-') ? 1 : 0;
        if (i >= text.Length) return false;
        bool point = false;
        for (; i < text.Length; i++)
        {
            if (char.IsAsciiDigit(text[i])) continue;
            if (text[i] == '.' && !point) { point = true; continue; }
            return false;
        }
        return true;
    }

    /// <summary>ISO-8601 UTC with nanoseconds trimmed of trailing zeros.</summary>
    public static string FormatIso(long ns) => Engine.Validation.IsoNs.Format(ns);
}
