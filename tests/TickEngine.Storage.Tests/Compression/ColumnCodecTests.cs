using TickEngine.Storage.Compression;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Storage.Tests.Compression;

public class ColumnCodecTests(ITestOutputHelper output)
{
    public static TheoryData<string> Shapes => new() { "constant", "counter", "step", "prices", "timestamps_ms", "random", "extremes", "bursty", "sparse_large", "alternating_sign" };

    private static long[] Make(string shape, int n, Random rng)
    {
        var v = new long[n];
        long x = rng.NextInt64(-1_000_000, 1_000_000);
        for (int i = 0; i < n; i++)
        {
            v[i] = shape switch
            {
                "constant" => 42,
                "counter" => 3735683259L + i,
                "step" => i * 1_000_000L,
                "prices" => x += rng.Next(-5, 6) * 1_000_000L,
                "timestamps_ms" => x += rng.Next(0, 3) == 0 ? rng.Next(0, 50) * 1_000_000L : 0,
                "random" => rng.NextInt64(long.MinValue, long.MaxValue),
                "extremes" => (i % 3) switch { 0 => long.MinValue, 1 => long.MaxValue, _ => 0 },
                "bursty" => x += rng.Next(0, 10) < 7 ? rng.Next(1, 16) * 100 : rng.Next(0, 400_000) * 100,
                "sparse_large" => rng.Next(0, 50) == 0 ? rng.NextInt64(0, 1L << 40) : rng.Next(0, 8),
                "alternating_sign" => (i % 2 == 0 ? 1 : -1) * rng.NextInt64(0, 1000),
                _ => throw new ArgumentException(shape),
            };
        }
        return v;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void RoundTripsExactlyForEveryBlockSize(string shape)
    {
        int seed = Environment.TickCount ^ shape.GetHashCode();
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var codec = new ColumnCodec(4096);
        var payload = new byte[ColumnCodec.MaxPayloadLength(4096)];
        var back = new long[4096];
        foreach (int n in new[] { 1, 2, 3, 7, 8, 63, 64, 65, 1000, 4096 })
        {
            var values = Make(shape, n, rng);
            var e = codec.Encode(values, payload);
            Assert.Null(codec.Decode(e, payload.AsSpan(0, e.StoredLength), back, n));
            Assert.True(values.AsSpan().SequenceEqual(back.AsSpan(0, n)), $"shape {shape} n {n} seed {seed} layout {e.Transform}/{e.Packing}/{e.Width1}/{e.Width2}");
        }
    }

    [Fact]
    public void ConstantStepsTakeNoPayload()
    {
        var codec = new ColumnCodec(4096);
        var payload = new byte[ColumnCodec.MaxPayloadLength(4096)];
        var ids = Enumerable.Range(0, 4096).Select(i => 3735683259L + i).ToArray();
        var e = codec.Encode(ids, payload);
        Assert.Equal(0, e.StoredLength);
        Assert.Equal(ColumnTransform.Delta, e.Transform);
    }

    [Fact]
    public void DivisorRemovesDecimalTrailingZeros()
    {
        var codec = new ColumnCodec(16);
        var payload = new byte[ColumnCodec.MaxPayloadLength(16)];
        long[] prices = [6183763000000, 6183764000000, 6183763000000, 6183761000000];
        var e = codec.Encode(prices, payload);
        Assert.Equal(6, e.DivisorExponent);
    }

    [Fact]
    public void DecodeRefusesInconsistentEntries()
    {
        var codec = new ColumnCodec(64);
        var payload = new byte[ColumnCodec.MaxPayloadLength(64)];
        var values = Enumerable.Range(0, 64).Select(i => (long)(i * i)).ToArray();
        var e = codec.Encode(values, payload);
        var back = new long[64];
        var shorter = e;
        shorter.StoredLength -= 1;
        Assert.NotNull(codec.Decode(shorter, payload.AsSpan(0, Math.Max(0, e.StoredLength - 1)), back, 64));
        Assert.NotNull(codec.Decode(e, payload.AsSpan(0, e.StoredLength), back, 65));
    }

    [Fact]
    public void NothingIsWrittenPastTheStoredLength()
    {
        // Incompressible values: LZ4's attempt comes out longer than the packed bytes and is not kept; none of
        // it may remain past the stored length (after a block's last column that is where the next block starts).
        var codec = new ColumnCodec(4096);
        var rng = new Random(7);
        int checkedColumns = 0;
        for (int trial = 0; trial < 50; trial++)
        {
            var values = Enumerable.Range(0, 64 + rng.Next(4000)).Select(_ => rng.NextInt64()).ToArray();
            var payload = new byte[ColumnCodec.MaxPayloadLength(4096) + 64];
            var e = codec.Encode(values, payload);
            if (e.Compression == TickEngine.Storage.Compression.ColumnCompression.None && e.StoredLength >= 64) checkedColumns++;
            int dirty = Array.FindIndex(payload, e.StoredLength, b => b != 0);
            Assert.True(dirty < 0, $"trial {trial}: byte {dirty} written past the stored length {e.StoredLength}");
        }
        Assert.True(checkedColumns > 0, "no column took the path where LZ4 is tried and dropped");
    }
}

public class Lz4BlockTests
{
    /// <summary>
    /// LZ4 is managed code now: compressing and decompressing never loads the system's liblz4 (a fresh machine
    /// with only the .NET SDK records and reads segments). Checked on the process's own memory map.
    /// </summary>
    [Fact]
    public void CompressesAndDecompressesWithoutTheSystemLibrary()
    {
        var input = new byte[8192];
        for (int i = 0; i < input.Length; i++) input[i] = (byte)(i % 97 < 50 ? 7 : i % 13);
        var packed = new byte[Lz4Block.CompressBound(input.Length)];
        int n = Lz4Block.Compress(input, packed);
        Assert.InRange(n, 1, input.Length - 1);
        var back = new byte[input.Length];
        Assert.Equal(input.Length, Lz4Block.Decompress(packed.AsSpan(0, n), back));
        Assert.Equal(input, back);
        Assert.True(Lz4Block.Decompress(packed.AsSpan(0, n - 1), back) < 0, "a truncated block must not decode");
        Assert.DoesNotContain("liblz4", File.ReadAllText("/proc/self/maps"));
    }
}
