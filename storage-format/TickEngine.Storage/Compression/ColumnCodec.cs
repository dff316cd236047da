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
    private readonly ulong[] _delta;
    private readonly ulong[] _zigzag;
    private readonly ulong[] _unpacked;
    private readonly byte[] _packed;
    private readonly int[] _histFor = new int[65];
    private readonly int[] _histDelta = new int[65];
    private readonly int[] _histZig = new int[65];

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
        _delta = new ulong[capacity];
        _zigzag = new ulong[capacity];
        _unpacked = new ulong[capacity];
        _packed = new byte[MaxPackedLength(capacity) + 16];
    }

    /// <summary>The most rows a block may hold for this codec.</summary>
    public int Capacity { get; }

    /// <summary>The largest packed size for <paramref name="rows"/> values (two-class worst case).</summary>
    public static int MaxPackedLength(int rows) => rows * 8 + (rows + 7) / 8 + 16;

    /// <summary>The largest payload <see cref="Encode"/> may write for <paramref name="rows"/> values.</summary>
    public static int MaxPayloadLength(int rows) => Lz4Native.CompressBound(MaxPackedLength(rows));

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

        // Pass 2: the candidates' integers and their bit-length histograms.
        int m = n - 1;
        Array.Clear(_histFor);
        Array.Clear(_histDelta);
        Array.Clear(_histZig);
        ulong inv = Inverse5[k];
        for (int i = 0; i < n; i++)
        {
            ulong u = (unchecked((ulong)(values[i] - min)) >> k) * inv;
            _for[i] = u;
            _histFor[64 - BitOperations.LeadingZeroCount(u)]++;
        }
        if (deltaOk && m > 0)
        {
            for (int i = 1; i < n; i++)
            {
                long d = values[i] - values[i - 1];
                ulong u = (unchecked((ulong)(d - minD)) >> k) * inv;
                _delta[i - 1] = u;
                _histDelta[64 - BitOperations.LeadingZeroCount(u)]++;
                long q = unchecked((long)((ulong)(d >> k) * inv));
                ulong z = (ulong)((q << 1) ^ (q >> 63));
                _zigzag[i - 1] = z;
                _histZig[64 - BitOperations.LeadingZeroCount(z)]++;
            }
        }

        // Choose the smallest exact layout.
        var best = Plan(_histFor, n);
        var chosen = ColumnTransform.FrameOfReference;
        if (deltaOk)
        {
            var d = Plan(_histDelta, m);
            if (d.Bytes < best.Bytes) { best = d; chosen = ColumnTransform.Delta; }
            var z = Plan(_histZig, m);
            if (z.Bytes < best.Bytes) { best = z; chosen = ColumnTransform.DeltaZigZag; }
        }

        ColumnEncoding e = default;
        e.Transform = chosen;
        e.DivisorExponent = k;
        e.Packing = best.Packing;
        e.Width1 = (byte)best.Width1;
        e.Width2 = (byte)best.Width2;
        ReadOnlySpan<ulong> source;
        switch (chosen)
        {
            case ColumnTransform.FrameOfReference: e.Base = min; source = _for.AsSpan(0, n); break;
            case ColumnTransform.Delta: e.Base = values[0]; e.Reference = minD; source = _delta.AsSpan(0, m); break;
            default: e.Base = values[0]; source = _zigzag.AsSpan(0, m); break;
        }

        // Pass 3: pack, then keep LZ4 only when it is smaller.
        Span<byte> packed = _packed;
        int packedLength = best.Packing == ColumnPacking.BitPacked
            ? BitPacking.Pack(source, best.Width1, packed)
            : PackTwoClass(source, best.Width1, best.Width2, packed);
        e.PackedLength = packedLength;
        int compressed = packedLength >= 64 ? Lz4Native.Compress(packed[..packedLength], payload) : 0;
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
            int got = Lz4Native.Decompress(payload, _packed.AsSpan(0, e.PackedLength));
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
        destination[..flagBytes].Clear();
        ulong limit = w1 == 64 ? ulong.MaxValue : (1UL << w1) - 1;
        int smallCount = 0;
        for (int i = 0; i < m; i++)
        {
            if (values[i] > limit) destination[i >> 3] |= (byte)(1 << (i & 7));
            else smallCount++;
        }
        var small = new BitPacking.Writer(destination[flagBytes..]);
        for (int i = 0; i < m; i++) if (values[i] <= limit) small.Write(values[i], w1);
        int smallBytes = small.Finish();
        var large = new BitPacking.Writer(destination[(flagBytes + smallBytes)..]);
        for (int i = 0; i < m; i++) if (values[i] > limit) large.Write(values[i], w2);
        int largeBytes = large.Finish();
        _ = smallCount;
        return flagBytes + smallBytes + largeBytes;
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
        var sr = new BitPacking.Reader(packed.Slice(flagBytes, (int)smallBytes));
        var lr = new BitPacking.Reader(packed.Slice(flagBytes + (int)smallBytes, (int)largeBytes));
        for (int i = 0; i < m; i++)
            destination[i] = ((flags[i >> 3] >> (i & 7)) & 1) == 0 ? sr.Read(w1) : lr.Read(w2);
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
