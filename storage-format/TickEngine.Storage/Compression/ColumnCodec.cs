using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace TickEngine.Storage.Compression;

/// <summary>
/// Encodes one block of one int64 column into a <see cref="ColumnEncoding"/> and a payload, and back (FORMAT.md,
/// "Column encoding"). For each block it measures every transform and packing exactly and keeps the smallest.
/// An instance owns scratch buffers sized for <see cref="Capacity"/> rows: one instance per thread.
/// </summary>
public sealed class ColumnCodec
{
    private static readonly ulong[] Inverse5 = BuildInverse5();
    private static readonly ulong[] MaxQuotient5 = BuildMaxQuotient5();
    private static readonly long[] Pow10 = BuildPow10();

    private readonly ulong[] _for;
    private readonly ulong[] _unpacked;
    private readonly byte[] _packed;
    private readonly int[] _histFor = new int[65 * 4];

    static ColumnCodec()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("TickEngine's storage codec assumes a little-endian machine.");
    }

    /// <summary>Creates a codec for blocks of at most <paramref name="capacity"/> rows.</summary>
    public ColumnCodec(int capacity)
    {
        if (capacity <= 0) throw new ArgumentOutOfRangeException(nameof(capacity));
        Capacity = capacity;
        _for = new ulong[capacity];
        _unpacked = new ulong[capacity];
        _packed = new byte[MaxPackedLength(capacity) + 16];
    }

    /// <summary>The most rows a block may hold for this codec.</summary>
    public int Capacity { get; }

    /// <summary>The largest packed size for <paramref name="rows"/> values (two-class worst case).</summary>
    public static int MaxPackedLength(int rows) => rows * 8 + (rows + 7) / 8 + 16;

    /// <summary>The largest payload <see cref="Encode"/> may write for <paramref name="rows"/> values.</summary>
    public static int MaxPayloadLength(int rows) => Lz4Block.CompressBound(MaxPackedLength(rows));

    /// <summary>
    /// Encodes <paramref name="values"/> (1..Capacity rows), writes the payload to <paramref name="payload"/> (at least
    /// <see cref="MaxPayloadLength"/> bytes) and returns the entry describing it.
    /// </summary>
    [SkipLocalsInit]
    public ColumnEncoding Encode(ReadOnlySpan<long> values, Span<byte> payload)
    {
        int n = values.Length;
        if (n == 0 || n > Capacity) throw new ArgumentOutOfRangeException(nameof(values), "a block holds 1..Capacity rows");

        // Pass 1: range, delta range (with overflow check) and the power of ten dividing every delta.
        long min = values[0], max = values[0];
        long minD = 0, maxD = 0;
        bool deltaOk = true;
        int k = 18;
        for (int i = 1; i < n; i++)
        {
            long v = values[i], p = values[i - 1];
            if (v < min) min = v;
            if (v > max) max = v;
            long d = unchecked(v - p);
            if (((v ^ p) & (v ^ d)) < 0) { deltaOk = false; continue; }
            if (i == 1) { minD = d; maxD = d; }
            else { if (d < minD) minD = d; if (d > maxD) maxD = d; }
            if (d != 0 && k > 0) k = LargestPow10Exponent(d < 0 ? (ulong)(-(d + 1)) + 1 : (ulong)d, k);
        }
        if (n == 1) k = 0;
        if (!deltaOk)
        {
            k = 18;
            for (int i = 0; i < n && k > 0; i++)
            {
                ulong x = unchecked((ulong)(values[i] - min));
                if (x != 0) k = LargestPow10Exponent(x, k);
            }
        }
        if (max == min) k = 0;

        // The bit-packed width of every transform follows from the ranges alone (zigzag grows with |x|).
        int m = n - 1;
        ulong inv = Inverse5[k];
        int wFor = 64 - BitOperations.LeadingZeroCount((unchecked((ulong)(max - min)) >> k) * inv);
        var chosen = ColumnTransform.FrameOfReference;
        int width = wFor;
        long bestBytes = ((long)n * wFor + 7) / 8;
        if (deltaOk && m > 0)
        {
            int wDelta = 64 - BitOperations.LeadingZeroCount((unchecked((ulong)(maxD - minD)) >> k) * inv);
            long qMin = unchecked((long)((ulong)(minD >> k) * inv)), qMax = unchecked((long)((ulong)(maxD >> k) * inv));
            ulong zMax = Math.Max((ulong)((qMin << 1) ^ (qMin >> 63)), (ulong)((qMax << 1) ^ (qMax >> 63)));
            int wZig = 64 - BitOperations.LeadingZeroCount(zMax);
            long deltaBytes = ((long)m * wDelta + 7) / 8, zigBytes = ((long)m * wZig + 7) / 8;
            // Deltas of both signs: zigzag keeps the common small moves near zero, which two-class packing needs.
            bool preferZig = minD < 0 && maxD > 0 && wZig <= wDelta + 1;
            bool zig = preferZig || zigBytes < deltaBytes;
            long variantBytes = zig ? zigBytes : deltaBytes;
            // Frame-of-reference decodes fastest: leave it only for something strictly smaller.
            if (variantBytes < bestBytes)
            {
                chosen = zig ? ColumnTransform.DeltaZigZag : ColumnTransform.Delta;
                width = zig ? wZig : wDelta;
                bestBytes = variantBytes;
            }
        }

        // Pass 2: the chosen transform's integers, and (when two-class could pay) their bit-length histogram,
        // kept in four interleaved copies so that runs of equal lengths do not serialise on one counter.
        ColumnEncoding e = default;
        e.Transform = chosen;
        e.DivisorExponent = k;
        int count = chosen == ColumnTransform.FrameOfReference ? n : m;
        Span<ulong> u = _for.AsSpan(0, count);
        bool histogram = width >= 2;
        int[] hist = _histFor;
        if (histogram) Array.Clear(hist);
        switch (chosen)
        {
            case ColumnTransform.FrameOfReference:
                e.Base = min;
                for (int i = 0; i < n; i++)
                {
                    ulong x = (unchecked((ulong)(values[i] - min)) >> k) * inv;
                    u[i] = x;
                    if (histogram) hist[((i & 3) * 65) + 64 - BitOperations.LeadingZeroCount(x)]++;
                }
                break;
            case ColumnTransform.Delta:
                e.Base = values[0];
                e.Reference = minD;
                for (int i = 1; i < n; i++)
                {
                    ulong x = (unchecked((ulong)(values[i] - values[i - 1] - minD)) >> k) * inv;
                    u[i - 1] = x;
                    if (histogram) hist[((i & 3) * 65) + 64 - BitOperations.LeadingZeroCount(x)]++;
                }
                break;
            default:
                e.Base = values[0];
                for (int i = 1; i < n; i++)
                {
                    long d = values[i] - values[i - 1];
                    long q = unchecked((long)((ulong)(d >> k) * inv));
                    ulong x = (ulong)((q << 1) ^ (q >> 63));
                    u[i - 1] = x;
                    if (histogram) hist[((i & 3) * 65) + 64 - BitOperations.LeadingZeroCount(x)]++;
                }
                break;
        }
        var best = new Layout(bestBytes, ColumnPacking.BitPacked, width, 0);
        if (histogram)
        {
            for (int b = 0; b < 65; b++) hist[b] += hist[65 + b] + hist[130 + b] + hist[195 + b];
            best = Plan(hist, count);
        }
        e.Packing = best.Packing;
        e.Width1 = (byte)best.Width1;
        e.Width2 = (byte)best.Width2;
        ReadOnlySpan<ulong> source = u;

        // Pass 3: pack, then keep LZ4 only when it is smaller.
        Span<byte> packed = _packed;
        int packedLength = best.Packing == ColumnPacking.BitPacked
            ? BitPacking.Pack(source, best.Width1, packed)
            : PackTwoClass(source, best.Width1, best.Width2, packed);
        e.PackedLength = packedLength;
        int compressed = packedLength >= 64 ? Lz4Block.Compress(packed[..packedLength], payload) : 0;
        if (compressed > 0 && compressed < packedLength)
        {
            e.Compression = ColumnCompression.Lz4;
            e.StoredLength = compressed;
        }
        else
        {
            e.Compression = ColumnCompression.None;
            packed[..packedLength].CopyTo(payload);
            e.StoredLength = packedLength;
            // LZ4's longer output is still past the packed bytes: nothing may be left beyond the stored length
            // (after a block's last column it would lie where the next block's magic goes, until that block is
            // committed, and a killed writer would leave it there for readers to take as damage).
            if (compressed > packedLength) payload[packedLength..compressed].Clear();
        }
        return e;
    }

    /// <summary>
    /// Decodes <paramref name="rows"/> values. Returns null on success, or what is wrong with the entry or payload;
    /// never reads outside <paramref name="payload"/> and never returns partial garbage as success.
    /// </summary>
    public string? Decode(in ColumnEncoding e, ReadOnlySpan<byte> payload, Span<long> destination, int rows)
    {
        if (rows <= 0 || rows > Capacity || destination.Length < rows) return $"row count {rows} outside 1..{Capacity}";
        if (payload.Length != e.StoredLength) return "payload length differs from the entry";
        int m = e.Transform == ColumnTransform.FrameOfReference ? rows : rows - 1;
        ReadOnlySpan<byte> packed;
        if (e.Compression == ColumnCompression.Lz4)
        {
            if (e.PackedLength > _packed.Length - 16) return "packed length too large for the block";
            int got = Lz4Block.Decompress(payload, _packed.AsSpan(0, e.PackedLength));
            if (got != e.PackedLength) return "LZ4 payload does not decompress to the packed length";
            packed = _packed.AsSpan(0, e.PackedLength);
        }
        else packed = payload;

        Span<ulong> u = _unpacked.AsSpan(0, m);
        if (e.Packing == ColumnPacking.BitPacked)
        {
            if (e.Width2 != 0) return "width2 set on a bit-packed column";
            long need = ((long)m * e.Width1 + 7) / 8;
            if (packed.Length != need) return $"packed length {packed.Length} differs from the {need} bytes {m} values of {e.Width1} bits need";
            BitPacking.Unpack(packed, e.Width1, u);
        }
        else
        {
            string? problem = UnpackTwoClass(packed, e.Width1, e.Width2, u);
            if (problem is not null) return problem;
        }

        long div = Pow10[e.DivisorExponent];
        switch (e.Transform)
        {
            case ColumnTransform.FrameOfReference:
                for (int i = 0; i < rows; i++) destination[i] = unchecked(e.Base + (long)u[i] * div);
                break;
            case ColumnTransform.Delta:
            {
                long v = e.Base;
                destination[0] = v;
                long r = e.Reference;
                for (int i = 1; i < rows; i++) { v = unchecked(v + r + (long)u[i - 1] * div); destination[i] = v; }
                break;
            }
            default:
            {
                long v = e.Base;
                destination[0] = v;
                for (int i = 1; i < rows; i++)
                {
                    ulong z = u[i - 1];
                    long q = (long)(z >> 1) ^ -(long)(z & 1);
                    v = unchecked(v + q * div);
                    destination[i] = v;
                }
                break;
            }
        }
        return null;
    }

    private readonly record struct Layout(long Bytes, ColumnPacking Packing, int Width1, int Width2);

    private static Layout Plan(int[] histogram, int count)
    {
        int maxw = 64;
        while (maxw > 0 && histogram[maxw] == 0) maxw--;
        long best = ((long)count * maxw + 7) / 8;
        var layout = new Layout(best, ColumnPacking.BitPacked, maxw, 0);
        long flags = (count + 7) / 8;
        long small = 0;
        for (int w = 0; w < maxw; w++)
        {
            small += histogram[w];
            long large = count - small;
            long bytes = flags + (small * w + 7) / 8 + (large * maxw + 7) / 8;
            if (bytes < layout.Bytes) layout = new Layout(bytes, ColumnPacking.TwoClass, w, maxw);
        }
        return layout;
    }

    private static int PackTwoClass(ReadOnlySpan<ulong> values, int w1, int w2, Span<byte> destination)
    {
        int m = values.Length;
        int flagBytes = (m + 7) / 8;
        ulong limit = w1 == 64 ? ulong.MaxValue : (1UL << w1) - 1;
        // The class map, a 64-bit word at a time (no read-modify-write of bytes per value).
        int large = 0;
        for (int i = 0; i < m; i += 64)
        {
            int end = Math.Min(64, m - i);
            ulong word = 0;
            for (int j = 0; j < end; j++) word |= (values[i + j] > limit ? 1UL : 0UL) << j;
            large += BitOperations.PopCount(word);
            int bytes = Math.Min(8, flagBytes - i / 8);
            for (int b = 0; b < bytes; b++) destination[i / 8 + b] = (byte)(word >> (8 * b));
        }
        int small = m - large;
        int smallBytes = (int)(((long)small * w1 + 7) / 8);
        int largeBytes = (int)(((long)large * w2 + 7) / 8);
        var smallDst = destination.Slice(flagBytes, smallBytes);
        var largeDst = destination.Slice(flagBytes + smallBytes, largeBytes);
        // Both streams in one branch-free pass: each value goes to one stream, the other gets zero bits.
        ulong accS = 0, accL = 0;
        int bitsS = 0, bitsL = 0, posS = 0, posL = 0;
        for (int i = 0; i < m; i++)
        {
            ulong v = values[i];
            bool isLarge = v > limit;
            ulong vs = isLarge ? 0 : v, vl = isLarge ? v : 0;
            int ws = isLarge ? 0 : w1, wl = isLarge ? w2 : 0;
            accS |= vs << bitsS;
            int tS = bitsS + ws;
            if (tS >= 64)
            {
                Flush(smallDst, ref posS, accS);
                accS = bitsS == 0 ? 0 : vs >> (64 - bitsS);
                bitsS = tS - 64;
            }
            else bitsS = tS;
            accL |= vl << bitsL;
            int tL = bitsL + wl;
            if (tL >= 64)
            {
                Flush(largeDst, ref posL, accL);
                accL = bitsL == 0 ? 0 : vl >> (64 - bitsL);
                bitsL = tL - 64;
            }
            else bitsL = tL;
        }
        for (int b = 0; posS < smallBytes; b++) smallDst[posS++] = (byte)(accS >> (8 * b));
        for (int b = 0; posL < largeBytes; b++) largeDst[posL++] = (byte)(accL >> (8 * b));
        return flagBytes + smallBytes + largeBytes;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Flush(Span<byte> destination, ref int pos, ulong word)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination.Slice(pos, 8), word);
        pos += 8;
    }

    private static string? UnpackTwoClass(ReadOnlySpan<byte> packed, int w1, int w2, Span<ulong> destination)
    {
        int m = destination.Length;
        int flagBytes = (m + 7) / 8;
        if (packed.Length < flagBytes) return "two-class map shorter than the row count";
        ReadOnlySpan<byte> flags = packed[..flagBytes];
        int large = 0;
        for (int i = 0; i < flagBytes; i++) large += BitOperations.PopCount(flags[i]);
        if ((m & 7) != 0 && (flags[^1] >> (m & 7)) != 0) return "two-class map has bits set past the last row";
        int small = m - large;
        long smallBytes = ((long)small * w1 + 7) / 8;
        long largeBytes = ((long)large * w2 + 7) / 8;
        if (packed.Length != flagBytes + smallBytes + largeBytes) return "two-class packed length differs from its map";
        var sr = packed.Slice(flagBytes, (int)smallBytes);
        var lr = packed.Slice(flagBytes + (int)smallBytes, (int)largeBytes);
        long sBit = 0, lBit = 0;
        for (int i = 0; i < m; i++)
        {
            // Most values are small: a predictable branch beats reading both streams.
            if (((flags[i >> 3] >> (i & 7)) & 1) == 0)
            {
                destination[i] = BitPacking.ReadAt(sr, sBit, w1);
                sBit += w1;
            }
            else
            {
                destination[i] = BitPacking.ReadAt(lr, lBit, w2);
                lBit += w2;
            }
        }
        return null;
    }

    /// <summary>Largest e &lt;= limit with 10^e dividing x (x != 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LargestPow10Exponent(ulong x, int limit)
    {
        int tz = BitOperations.TrailingZeroCount(x);
        int e = Math.Min(limit, tz);
        while (e > 0 && (x >> e) * Inverse5[e] > MaxQuotient5[e]) e--;
        return e;
    }

    private static ulong[] BuildInverse5()
    {
        // Multiplicative inverse of 5^e modulo 2^64 (5 is odd, so it exists).
        var inv = new ulong[19];
        ulong p = 1;
        for (int e = 0; e < 19; e++)
        {
            ulong x = p; // Newton iteration for the inverse of an odd number
            for (int i = 0; i < 6; i++) x *= 2 - p * x;
            inv[e] = x;
            p *= 5;
        }
        return inv;
    }

    private static ulong[] BuildMaxQuotient5()
    {
        var q = new ulong[19];
        ulong p = 1;
        for (int e = 0; e < 19; e++) { q[e] = ulong.MaxValue / p; p *= 5; }
        return q;
    }

    private static long[] BuildPow10()
    {
        var p = new long[19];
        p[0] = 1;
        for (int i = 1; i < 19; i++) p[i] = p[i - 1] * 10;
        return p;
    }
}
