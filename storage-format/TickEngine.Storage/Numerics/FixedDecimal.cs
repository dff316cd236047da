using System.Runtime.CompilerServices;

namespace TickEngine.Storage.Numerics;

/// <summary>
/// Exact conversion between decimal text and int64 fixed-point mantissas (value = mantissa x 10^-scale).
/// Never goes through <c>double</c>: a value that cannot be held exactly at the scale is an error.
/// Allocation-free; thread-safe.
/// </summary>
public static class FixedDecimal
{
    /// <summary>The largest supported scale.</summary>
    public const int MaxScale = 18;

    private static readonly long[] Pow10 = BuildPowers();

    /// <summary>10^<paramref name="exponent"/> for 0..18.</summary>
    public static long PowerOf10(int exponent) => Pow10[exponent];

    /// <summary>Parses UTF-8 decimal text ("61837.63000000", "-0.5", "1e-5") into a mantissa at <paramref name="scale"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryParse(ReadOnlySpan<byte> text, int scale, out long mantissa, out DecimalParseError error)
    {
        if (TryParsePlain(text, scale, out mantissa))
        {
            error = DecimalParseError.None;
            return true;
        }
        return TryParseGeneral(text, scale, out mantissa, out error);
    }

    /// <summary>
    /// The common case in one tight loop: unsigned "digits[.digits]" with at most 18 integer digits and no more
    /// significant decimals than the scale (zeros past it are fine). False sends the text to the general parser.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryParsePlain(ReadOnlySpan<byte> text, int scale, out long mantissa)
    {
        mantissa = 0;
        int n = text.Length;
        if (n == 0 || n > 40) return false;
        ulong whole = 0;
        int i = 0;
        for (; i < n; i++)
        {
            uint d = (uint)(text[i] - '0');
            if (d > 9) break;
            whole = whole * 10 + d;
        }
        if (i == 0 || i > 18) return false;
        ulong fraction = 0;
        int fractionDigits = 0;
        if (i < n)
        {
            if (text[i] != (byte)'.' || i + 1 == n) return false;
            for (i++; i < n; i++)
            {
                uint d = (uint)(text[i] - '0');
                if (d > 9) return false;
                if (fractionDigits < scale) { fraction = fraction * 10 + d; fractionDigits++; }
                else if (d != 0) return false; // more decimals than the scale: the general parser reports it
            }
        }
        if ((uint)scale > 18) return false;
        ulong pow = (ulong)Pow10[scale];
        if (whole > (ulong)long.MaxValue / pow) return false;
        ulong value = whole * pow + fraction * (ulong)Pow10[scale - fractionDigits];
        if (value > long.MaxValue) return false;
        mantissa = (long)value;
        return true;
    }

    private static bool TryParseGeneral(ReadOnlySpan<byte> text, int scale, out long mantissa, out DecimalParseError error)
    {
        mantissa = 0;
        if (text.IsEmpty) { error = DecimalParseError.Empty; return false; }
        int i = 0;
        bool negative = false;
        if (text[0] == (byte)'-' || text[0] == (byte)'+')
        {
            negative = text[0] == (byte)'-';
            i = 1;
            if (text.Length == 1) { error = DecimalParseError.NotANumber; return false; }
        }
        ulong acc = 0;
        int digits = 0;          // significant digits kept in acc
        int fraction = 0;        // digits after the point that are kept in acc
        bool seenPoint = false, seenDigit = false;
        int trailingFractionZeros = 0;
        for (; i < text.Length; i++)
        {
            uint c = (uint)(text[i] - (byte)'0');
            if (c <= 9)
            {
                seenDigit = true;
                if (seenPoint)
                {
                    if (c == 0) { trailingFractionZeros++; continue; }
                    // flush pending zeros
                    while (trailingFractionZeros > 0)
                    {
                        if (!MulAdd(ref acc, 0)) { error = DecimalParseError.OutOfRange; return false; }
                        fraction++; trailingFractionZeros--;
                    }
                    fraction++;
                }
                if (acc == 0 && c == 0 && !seenPoint) continue; // leading zeros
                if (!MulAdd(ref acc, c)) { error = DecimalParseError.OutOfRange; return false; }
                digits++;
                continue;
            }
            if (text[i] == (byte)'.' && !seenPoint) { seenPoint = true; continue; }
            if ((text[i] | 0x20) == (byte)'e' && seenDigit) break;
            error = DecimalParseError.NotANumber;
            return false;
        }
        if (!seenDigit) { error = DecimalParseError.NotANumber; return false; }
        int exponent = 0;
        if (i < text.Length)
        {
            // exponent part
            i++;
            bool expNegative = false;
            if (i < text.Length && (text[i] == (byte)'-' || text[i] == (byte)'+')) { expNegative = text[i] == (byte)'-'; i++; }
            if (i >= text.Length) { error = DecimalParseError.NotANumber; return false; }
            for (; i < text.Length; i++)
            {
                uint c = (uint)(text[i] - (byte)'0');
                if (c > 9) { error = DecimalParseError.NotANumber; return false; }
                if (exponent > 1000) { error = DecimalParseError.OutOfRange; return false; }
                exponent = exponent * 10 + (int)c;
            }
            if (expNegative) exponent = -exponent;
        }
        // value = acc x 10^(exponent - fraction); wanted: acc x 10^(scale + exponent - fraction)
        int shift = scale + exponent - fraction;
        if (acc == 0) { mantissa = 0; error = DecimalParseError.None; return true; }
        if (shift < 0)
        {
            // only exact if acc has at least -shift trailing zeros
            while (shift < 0)
            {
                if (acc % 10 != 0) { error = DecimalParseError.TooManyDecimals; return false; }
                acc /= 10;
                shift++;
            }
        }
        while (shift > 0)
        {
            if (!MulAdd(ref acc, 0)) { error = DecimalParseError.OutOfRange; return false; }
            shift--;
        }
        if (negative)
        {
            if (acc > 9223372036854775808UL) { error = DecimalParseError.OutOfRange; return false; }
            mantissa = unchecked(-(long)acc);
        }
        else
        {
            if (acc > long.MaxValue) { error = DecimalParseError.OutOfRange; return false; }
            mantissa = (long)acc;
        }
        error = DecimalParseError.None;
        return true;
    }

    /// <summary>
    /// The scales at which <paramref name="text"/> can be held exactly in a 64-bit mantissa: from
    /// <paramref name="minScale"/> (its significant decimals) to <paramref name="maxScale"/> (the most decimals its
    /// magnitude leaves room for), both within 0..18. False when no scale holds it (not a number, or more significant
    /// digits than 64 bits hold). Not for hot paths: it is asked when a value does not fit an instrument's scale.
    /// </summary>
    public static bool TryFit(ReadOnlySpan<byte> text, out int minScale, out int maxScale)
    {
        minScale = -1;
        maxScale = -1;
        for (int s = 0; s <= MaxScale; s++)
        {
            if (!TryParse(text, s, out _, out var error))
            {
                if (error is DecimalParseError.Empty or DecimalParseError.NotANumber) return false;
                if (minScale >= 0) break; // past the largest scale that holds it
                continue;
            }
            if (minScale < 0) minScale = s;
            maxScale = s;
        }
        return minScale >= 0;
    }

    /// <summary>
    /// <paramref name="mantissa"/> at <paramref name="fromScale"/> moved to <paramref name="toScale"/> exactly: false
    /// when it would lose digits (fewer decimals than it has) or overflow 64 bits.
    /// </summary>
    public static bool TryRescale(long mantissa, int fromScale, int toScale, out long result)
    {
        result = mantissa;
        if (toScale == fromScale || mantissa == 0) return true;
        if (toScale > fromScale)
        {
            long f = Pow10[toScale - fromScale];
            if (mantissa > long.MaxValue / f || mantissa < long.MinValue / f) return false;
            result = mantissa * f;
            return true;
        }
        long d = Pow10[fromScale - toScale];
        if (mantissa % d != 0) return false;
        result = mantissa / d;
        return true;
    }

    /// <summary>Parses UTF-16 text; see the UTF-8 overload.</summary>
    [SkipLocalsInit]
    public static bool TryParse(ReadOnlySpan<char> text, int scale, out long mantissa, out DecimalParseError error)
    {
        if (text.Length > 128) { mantissa = 0; error = DecimalParseError.OutOfRange; return false; }
        Span<byte> buffer = stackalloc byte[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c > 127) { mantissa = 0; error = DecimalParseError.NotANumber; return false; }
            buffer[i] = (byte)c;
        }
        return TryParse(buffer, scale, out mantissa, out error);
    }

    /// <summary>A human sentence for an error, naming the text and the scale.</summary>
    public static string Describe(DecimalParseError error, string text, int scale) => error switch
    {
        DecimalParseError.Empty => "empty value where a number is required",
        DecimalParseError.NotANumber => $"'{text}' is not a decimal number",
        DecimalParseError.TooManyDecimals => $"'{text}' has more decimals than the column's scale of {scale} can hold exactly",
        DecimalParseError.OutOfRange => $"'{text}' does not fit a 64-bit mantissa at scale {scale}",
        _ => "no error",
    };

    /// <summary>Writes the shortest exact text of mantissa x 10^-scale (no trailing zeros, no exponent) as UTF-8.</summary>
    public static int Format(long mantissa, int scale, Span<byte> destination)
    {
        Span<byte> tmp = stackalloc byte[24];
        ulong magnitude = mantissa < 0 ? (ulong)(-(mantissa + 1)) + 1 : (ulong)mantissa;
        int n = 0;
        do { tmp[n++] = (byte)('0' + (int)(magnitude % 10)); magnitude /= 10; } while (magnitude != 0);
        // tmp holds digits least significant first
        while (n <= scale) tmp[n++] = (byte)'0';
        int firstKept = 0; // drop trailing fractional zeros
        while (firstKept < scale && tmp[firstKept] == (byte)'0') firstKept++;
        int w = 0;
        if (mantissa < 0) destination[w++] = (byte)'-';
        for (int k = n - 1; k >= scale; k--) destination[w++] = tmp[k];
        if (firstKept < scale)
        {
            destination[w++] = (byte)'.';
            for (int k = scale - 1; k >= firstKept; k--) destination[w++] = tmp[k];
        }
        return w;
    }

    /// <summary>Formats to a string (not for hot paths).</summary>
    public static string ToString(long mantissa, int scale)
    {
        Span<byte> buffer = stackalloc byte[48];
        int n = Format(mantissa, scale, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool MulAdd(ref ulong acc, uint digit)
    {
        if (acc > (ulong.MaxValue - digit) / 10) return false;
        acc = acc * 10 + digit;
        return true;
    }

    private static long[] BuildPowers()
    {
        var p = new long[19];
        p[0] = 1;
        for (int i = 1; i < p.Length; i++) p[i] = p[i - 1] * 10;
        return p;
    }
}
