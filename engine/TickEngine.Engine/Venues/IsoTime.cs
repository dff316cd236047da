namespace TickEngine.Engine.Venues;

/// <summary>ISO-8601 UTC times as venues send them (<c>2026-08-09T21:05:48.170326Z</c>, up to 9 fraction digits) to ns since the epoch, exactly, allocation-free.</summary>
public static class IsoTime
{
    public static bool TryParseUtc(ReadOnlySpan<byte> s, out long ns)
    {
        ns = 0;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':' || s[^1] != 'Z') return false;
        if (!Digits(s[..4], out int year) || !Digits(s.Slice(5, 2), out int month) || !Digits(s.Slice(8, 2), out int day) ||
            !Digits(s.Slice(11, 2), out int hour) || !Digits(s.Slice(14, 2), out int minute) || !Digits(s.Slice(17, 2), out int second)) return false;
        if (year < 1970 || year > 2262 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
        long fraction = 0;
        var rest = s[19..^1];
        if (rest.Length > 0)
        {
            if (rest[0] != '.' || rest.Length < 2 || rest.Length > 10) return false;
            if (!Digits(rest[1..], out int f)) return false;
            fraction = f;
            for (int i = rest.Length - 1; i < 9; i++) fraction *= 10;
        }
        long days = DaysFromCivil(year, month, day);
        long seconds = days * 86_400 + hour * 3_600 + minute * 60 + second;
        if (seconds > long.MaxValue / 1_000_000_000 - 1) return false;
        ns = seconds * 1_000_000_000 + fraction;
        return true;
    }

    /// <summary>
    /// An ISO-8601 time with <c>Z</c> or a numeric offset (<c>2026-12-10T21:59:30.125+00:00</c>, <c>-06:00</c>: ProjectX
    /// writes its times with an offset), brought to UTC exactly; up to 9 fraction digits.
    /// </summary>
    public static bool TryParseWithOffset(ReadOnlySpan<byte> s, out long ns)
    {
        ns = 0;
        if (s.Length > 0 && s[^1] == 'Z') return TryParseUtc(s, out ns);
        if (s.Length < 25) return false;
        var offset = s[^6..];
        if ((offset[0] != '+' && offset[0] != '-') || offset[3] != ':' || !Digits(offset.Slice(1, 2), out int oh) || !Digits(offset[4..], out int om) || oh > 23 || om > 59)
            return false;
        Span<byte> utc = stackalloc byte[40];
        int n = s.Length - 6;
        if (n + 1 > utc.Length) return false;
        s[..n].CopyTo(utc);
        utc[n] = (byte)'Z';
        if (!TryParseUtc(utc[..(n + 1)], out long local)) return false;
        long shift = (oh * 3_600L + om * 60L) * 1_000_000_000;
        ns = offset[0] == '+' ? local - shift : local + shift;
        return true;
    }

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (byte b in s)
        {
            uint d = (uint)(b - '0');
            if (d > 9) return false;
            value = value * 10 + (int)d;
        }
        return true;
    }

    /// <summary>Days since 1970-01-01 of a proleptic Gregorian date.</summary>
    private static long DaysFromCivil(int y, int m, int d)
    {
        y -= m <= 2 ? 1 : 0;
        long era = y / 400;
        long yoe = y - era * 400;
        long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146_097 + doe - 719_468;
    }
}
