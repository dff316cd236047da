namespace TickEngine.Simulator.Dialects.ProjectX;

/// <summary>
/// CME Globex hours of the equity index futures (ES, MES, NQ, MNQ), in Chicago time: open Sunday 17:00 to Friday
/// 16:00, with the daily maintenance break 16:00-17:00 Monday to Thursday. Chicago time is UTC-6, UTC-5 from the second
/// Sunday of March to the first Sunday of November (02:00 local), computed here so no time-zone database is needed.
/// Holidays are not modelled.
/// </summary>
public static class CmeHours
{
    private const long Second = 1_000_000_000, Minute = 60 * Second, Hour = 60 * Minute, Day = 24 * Hour;

    /// <summary>Chicago's offset from UTC at <paramref name="utcNs"/> (-6 h or -5 h).</summary>
    public static long OffsetNs(long utcNs)
    {
        var utc = DateTimeOffset.FromUnixTimeMilliseconds(utcNs / 1_000_000).UtcDateTime;
        int y = utc.Year;
        // 02:00 CST on the second Sunday of March is 08:00 UTC; 02:00 CDT on the first Sunday of November is 07:00 UTC.
        var start = NthSunday(y, 3, 2).AddHours(8);
        var end = NthSunday(y, 11, 1).AddHours(7);
        return utc >= start && utc < end ? -5 * Hour : -6 * Hour;
    }

    private static DateTime NthSunday(int year, int month, int n)
    {
        var first = new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc);
        int toSunday = ((int)DayOfWeek.Sunday - (int)first.DayOfWeek + 7) % 7;
        return first.AddDays(toSunday + 7 * (n - 1));
    }

    /// <summary>True while Globex trades the contracts.</summary>
    public static bool IsOpen(long utcNs)
    {
        long local = utcNs + OffsetNs(utcNs);
        long dayNs = ((local % Day) + Day) % Day;
        var dow = (DayOfWeek)(int)((local / Day + 4) % 7); // 1970-01-01 was a Thursday
        bool afterClose = dayNs >= 16 * Hour, beforeOpen = dayNs < 17 * Hour;
        return dow switch
        {
            DayOfWeek.Saturday => false,
            DayOfWeek.Sunday => !beforeOpen,
            DayOfWeek.Friday => !afterClose,
            _ => !(afterClose && beforeOpen),
        };
    }

    /// <summary>The first open instant at or after <paramref name="utcNs"/> (to the minute).</summary>
    public static long NextOpen(long utcNs)
    {
        if (IsOpen(utcNs)) return utcNs;
        long t = (utcNs / Minute + 1) * Minute;
        for (int i = 0; i < 4 * 24 * 60 && !IsOpen(t); i++) t += Minute;
        return t;
    }

    /// <summary>The first closed instant after <paramref name="utcNs"/> (to the minute).</summary>
    public static long NextClose(long utcNs)
    {
        long t = (utcNs / Minute + 1) * Minute;
        for (int i = 0; i < 8 * 24 * 60 && IsOpen(t); i++) t += Minute;
        return t;
    }
}
