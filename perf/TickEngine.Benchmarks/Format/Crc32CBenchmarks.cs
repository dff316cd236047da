using BenchmarkDotNet.Attributes;
using System.IO.Hashing;

namespace TickEngine.Benchmarks.Format;

/// <summary>
/// CRC-32C over the sizes a segment checksums: a header (272 B), a short live commit (1 KB), blocks of a few
/// hundred to 4,096 rows (4-64 KB). System.IO.Hashing (what TickEngine uses) against the hand-written
/// SSE4.2 loop it replaced (the baseline). One operation = one buffer.
/// </summary>
[MemoryDiagnoser]
public class Crc32CBenchmarks
{
    private byte[] _data = null!;

    [Params(272, 1024, 4096, 16384, 65536)]
    public int Bytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Bytes];
        new Random(42).NextBytes(_data);
        if (HandWrittenCrc32C.Compute(_data) != Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, _data)) throw new InvalidOperationException("the two CRC-32C disagree");
    }

    [Benchmark(Baseline = true)]
    public uint HandWritten() => HandWrittenCrc32C.Compute(_data);

    [Benchmark]
    public uint SystemIOHashing() => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, _data);
}
