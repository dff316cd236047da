using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TickEngine.Storage.Compression;

/// <summary>
/// LSB-first bit packing (FORMAT.md, "Packing"): value i occupies bits [i*w, (i+1)*w) of the little-endian bit
/// stream, bit 0 being the least significant bit of byte 0. The last byte is zero-padded.
/// </summary>
public static class BitPacking
{
    /// <summary>
    /// Packs <paramref name="values"/> (each below 2^width) and returns the bytes written. The destination must
    /// have room for the packed bytes rounded up to a whole 8-byte word.
    /// </summary>
    public static int Pack(ReadOnlySpan<ulong> values, int width, Span<byte> destination) =>
        PackWhere(values, width, destination, Select.All, 0);

    /// <summary>Which values <see cref="PackWhere"/> packs.</summary>
    public enum Select { All, AtMost, Above }

    /// <summary>Packs, in order, the values selected against <paramref name="limit"/>; returns the bytes written.</summary>
    public static int PackWhere(ReadOnlySpan<ulong> values, int width, Span<byte> destination, Select select, ulong limit)
    {
        if (width == 0) return 0;
        // Upper bound of the bytes written (every value selected), rounded to the 8-byte words stored.
        long needed = ((long)values.Length * width + 7) / 8;
        if (destination.Length < Math.Min((needed + 7) & ~7, needed + 8)) throw new ArgumentException("destination too small for the packed values");
        return select switch
        {
            Select.All => PackCore(values, width, destination, Select.All, limit),
            Select.AtMost => PackCore(values, width, destination, Select.AtMost, limit),
            _ => PackCore(values, width, destination, Select.Above, limit),
        };
    }

    // Locals only (no fields touched per value), and one unaligned 8-byte store per full word: the destination
    // was checked to hold the words.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int PackCore(ReadOnlySpan<ulong> values, int width, Span<byte> destination, Select select, ulong limit)
    {
        ref byte d = ref MemoryMarshal.GetReference(destination);
        ulong acc = 0;
        int bits = 0;
        int pos = 0;
        for (int i = 0; i < values.Length; i++)
        {
            ulong v = values[i];
            if (select == Select.AtMost && v > limit) continue;
            if (select == Select.Above && v <= limit) continue;
            acc |= v << bits;
            int total = bits + width;
            if (total >= 64)
            {
                Unsafe.WriteUnaligned(ref Unsafe.Add(ref d, pos), acc);
                pos += 8;
                acc = bits == 0 ? 0 : v >> (64 - bits);
                bits = total - 64;
            }
            else bits = total;
        }
        int tail = (bits + 7) / 8;
        for (int i = 0; i < tail; i++) destination[pos + i] = (byte)(acc >> (8 * i));
        return pos + tail;
    }

    /// <summary>Reads <paramref name="width"/> bits at <paramref name="bit"/>; bounds-checked.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong ReadAt(ReadOnlySpan<byte> source, long bit, int width)
    {
        int index = (int)(bit >> 3);
        int shift = (int)(bit & 7);
        if (width <= 56 && index + 8 <= source.Length)
        {
            ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref MemoryMarshal.GetReference(source), index));
            return (word >> shift) & ((1UL << width) - 1);
        }
        return width == 0 ? 0 : ReadSlow(source, index, shift, width);
    }

    private static ulong ReadSlow(ReadOnlySpan<byte> source, int index, int shift, int width)
    {
        ulong result = 0;
        int got = 0;
        while (got < width)
        {
            int take = Math.Min(8 - shift, width - got);
            ulong part = (ulong)(source[index] >> shift) & ((1UL << take) - 1);
            result |= part << got;
            got += take;
            index++;
            shift = 0;
        }
        return result;
    }

    /// <summary>Unpacks destination.Length values of <paramref name="width"/> bits; the source must hold them.</summary>
    public static void Unpack(ReadOnlySpan<byte> source, int width, Span<ulong> destination)
    {
        int m = destination.Length;
        if (width == 0) { destination.Clear(); return; }
        if (width == 64)
        {
            for (int i = 0; i < m; i++) destination[i] = BinaryPrimitives.ReadUInt64LittleEndian(source[(i * 8)..]);
            return;
        }
        ulong mask = (1UL << width) - 1;
        int i0 = 0;
        if (width <= 56 && source.Length >= 8)
        {
            // Fast path: one unaligned 8-byte read per value while 8 bytes remain.
            long lastSafeBit = ((long)source.Length - 8) * 8;
            ref byte start = ref MemoryMarshal.GetReference(source);
            long bit = 0;
            for (; i0 < m && bit <= lastSafeBit; i0++, bit += width)
            {
                ulong word = Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, (nint)(bit >> 3)));
                destination[i0] = (word >> (int)(bit & 7)) & mask;
            }
        }
        for (int i = i0; i < m; i++) destination[i] = ReadAt(source, (long)i * width, width);
    }

}
