using System.Buffers.Binary;

namespace TickEngine.Storage.Format;

/// <summary>
/// Trade ids of any form as 128 bits and two flag bits (FORMAT.md 1.1, "Trade ids"), so that the exchange's text
/// comes back byte for byte:
/// <list type="bullet">
/// <item>form 0, integer: decimal digits without a leading zero (or "0") that fit an int64: <c>hi</c> = the value, <c>lo</c> = 0;</item>
/// <item>form 1 / 2, a UUID in its 36-character form (8-4-4-4-12 hex digits), all lower-case / all upper-case:
/// its 16 bytes, big-endian, the first 8 in <c>hi</c> and the last 8 in <c>lo</c>;</item>
/// <item>form 3, any other text of 1..16 bytes, each printable ASCII (0x21..0x7E): the bytes big-endian in
/// <c>hi</c> then <c>lo</c>, padded with zero bytes.</item>
/// </list>
/// Anything else (longer text, spaces, non-ASCII, a mixed-case UUID longer than 16 bytes) cannot be stored exactly
/// and is refused. Allocation-free.
/// </summary>
public static class TradeIds
{
    public const long FormInteger = 0;
    public const long FormUuidLower = 1L << 11;
    public const long FormUuidUpper = 2L << 11;
    public const long FormText = 3L << 11;
    public const long FormMask = (long)RowFlags.TradeIdForm;

    /// <summary>Longest text a trade id may have (a UUID).</summary>
    public const int MaxLength = 36;
    /// <summary>Longest text stored as form 3.</summary>
    public const int MaxTextBytes = 16;

    /// <summary>Encodes an exchange's trade id text; false when it cannot be stored exactly.</summary>
    public static bool TryEncode(ReadOnlySpan<byte> text, out long hi, out long lo, out long form)
    {
        hi = lo = form = 0;
        if (text.IsEmpty) return false;
        if (TryInteger(text, out hi)) return true;
        if (text.Length == 36 && TryUuid(text, out hi, out lo, out bool upper))
        {
            form = upper ? FormUuidUpper : FormUuidLower;
            return true;
        }
        if (text.Length > MaxTextBytes) return false;
        Span<byte> bytes = stackalloc byte[16];
        bytes.Clear();
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            if (b is < 0x21 or > 0x7E) { hi = 0; return false; }
            bytes[i] = b;
        }
        hi = BinaryPrimitives.ReadInt64BigEndian(bytes);
        lo = BinaryPrimitives.ReadInt64BigEndian(bytes[8..]);
        form = FormText;
        return true;
    }

    /// <summary>Digits without a leading zero (or "0") that fit an int64.</summary>
    public static bool TryInteger(ReadOnlySpan<byte> text, out long value)
    {
        value = 0;
        if (text.IsEmpty || text.Length > 19 || (text[0] == '0' && text.Length > 1)) return false;
        ulong v = 0;
        foreach (byte b in text)
        {
            uint d = (uint)(b - '0');
            if (d > 9) return false;
            v = v * 10 + d;
        }
        if (v > long.MaxValue) return false; // 19 digits cannot wrap a ulong
        value = (long)v;
        return true;
    }

    private static bool TryUuid(ReadOnlySpan<byte> t, out long hi, out long lo, out bool upper)
    {
        hi = lo = 0;
        upper = false;
        bool lower = false;
        ulong h = 0, l = 0;
        int digits = 0;
        for (int i = 0; i < 36; i++)
        {
            byte b = t[i];
            if (i is 8 or 13 or 18 or 23)
            {
                if (b != '-') return false;
                continue;
            }
            int v;
            if (b is >= (byte)'0' and <= (byte)'9') v = b - '0';
            else if (b is >= (byte)'a' and <= (byte)'f') { v = b - 'a' + 10; lower = true; }
            else if (b is >= (byte)'A' and <= (byte)'F') { v = b - 'A' + 10; upper = true; }
            else return false;
            if (digits < 16) h = (h << 4) | (uint)v; else l = (l << 4) | (uint)v;
            digits++;
        }
        if (lower && upper) return false; // mixed case: the case could not come back
        hi = (long)h;
        lo = (long)l;
        return true;
    }

    /// <summary>
    /// Writes the text of a stored id into <paramref name="destination"/> (at least <see cref="MaxLength"/> bytes) and
    /// returns its length, or -1 when the stored values are not a valid id of that form.
    /// </summary>
    public static int Format(long hi, long lo, long flags, Span<byte> destination)
    {
        long form = flags & FormMask;
        if (form == FormInteger)
        {
            if (hi < 0 || lo != 0) return -1;
            return hi.TryFormat(destination, out int n, default, System.Globalization.CultureInfo.InvariantCulture) ? n : -1;
        }
        if (form is FormUuidLower or FormUuidUpper)
        {
            if (destination.Length < 36) return -1;
            ReadOnlySpan<byte> digits = form == FormUuidLower ? "0123456789abcdef"u8 : "0123456789ABCDEF"u8;
            int at = 0;
            for (int i = 0; i < 32; i++)
            {
                if (i is 8 or 12 or 16 or 20) destination[at++] = (byte)'-';
                ulong word = (ulong)(i < 16 ? hi : lo);
                int shift = 60 - 4 * (i & 15);
                destination[at++] = digits[(int)((word >> shift) & 0xF)];
            }
            return 36;
        }
        Span<byte> bytes = stackalloc byte[16];
        BinaryPrimitives.WriteInt64BigEndian(bytes, hi);
        BinaryPrimitives.WriteInt64BigEndian(bytes[8..], lo);
        int len = bytes.IndexOf((byte)0);
        if (len < 0) len = 16;
        if (len == 0) return -1;
        for (int i = 0; i < 16; i++)
        {
            byte b = bytes[i];
            if (i < len ? b is < 0x21 or > 0x7E : b != 0) return -1; // zero padding only at the end
        }
        if (destination.Length < len) return -1;
        bytes[..len].CopyTo(destination);
        return len;
    }

    /// <summary>The text of a stored id (allocates; for exports and messages), or null when it is not valid.</summary>
    public static string? ToText(long hi, long lo, long flags)
    {
        Span<byte> buffer = stackalloc byte[MaxLength];
        int n = Format(hi, lo, flags, buffer);
        return n < 0 ? null : System.Text.Encoding.ASCII.GetString(buffer[..n]);
    }
}
