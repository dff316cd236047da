using System.Globalization;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using CsvHelper;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Storage.Compression;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;

namespace TickEngine.Benchmarks.Storage;

/// <summary>
/// Writing and reading 1,000,000 trades (synthetic, with the real capture's statistics): TickEngine segments
/// against CsvHelper (the baseline) and against raw row structs through LZ4 blocks.
/// <code>
///   rows[] --(ours)----&gt; SegmentWriter --mmap--&gt; .tks      .tks --SegmentReader--&gt; columns --&gt; sum
///   rows[] --(CsvHelper)-&gt; CSV text in memory                CSV --CsvReader--&gt; records --&gt; sum
///   rows[] --(structs)--&gt; 4096-row LZ4 blocks in memory      LZ4 --&gt; structs --&gt; sum
/// </code>
/// </summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    private const int Rows = 1_000_000;
    private long[][] _rows = null!;
    private TradeStruct[] _structs = null!;
    private string _dir = null!;
    private string _segment = null!;
    private byte[] _csv = null!;
    private byte[] _lz4 = null!;
    private int[] _lz4Sizes = null!;
    private SegmentHeader _header = null!;
    private int _n;

    [GlobalSetup]
    public void Setup()
    {
        _rows = FixtureTrades.Synthetic(Rows).Select(r => (long[])r.Clone()).ToArray();
        _structs = FixtureTrades.AsStructs(_rows);
        _dir = Path.Combine(Path.GetTempPath(), "tickengine-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 0, 0);
        _segment = Path.Combine(_dir, "read.tks");
        using (var w = SegmentWriter.Create(_segment, _header)) foreach (var r in _rows) w.Append(r);
        var ms = new MemoryStream();
        WriteCsv(ms);
        _csv = ms.ToArray();
        _lz4 = new byte[Lz4Block.CompressBound(Rows * Marshal.SizeOf<TradeStruct>()) + 1024 * 64];
        _lz4Sizes = new int[Rows / 4096 + 1];
        CompressStructs();
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, true);

    [Benchmark(Baseline = true, OperationsPerInvoke = Rows)]
    [BenchmarkCategory("write")]
    public long WriteCsvHelper()
    {
        var ms = new MemoryStream(_csv.Length + 1024);
        WriteCsv(ms);
        return ms.Length;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    [BenchmarkCategory("write")]
    public long WriteTickEngine()
    {
        string path = Path.Combine(_dir, $"w{_n++}.tks");
        using (var w = SegmentWriter.Create(path, _header, new SegmentWriterOptions { InitialCapacity = 16 << 20 }))
            for (int i = 0; i < _rows.Length; i++) w.Append(_rows[i]);
        long len = new FileInfo(path).Length;
        File.Delete(path);
        return len;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    [BenchmarkCategory("write")]
    public long WriteStructsLz4() => CompressStructs();

    [Benchmark(OperationsPerInvoke = Rows)]
    [BenchmarkCategory("read")]
    public decimal ReadCsvHelper()
    {
        using var reader = new StreamReader(new MemoryStream(_csv));
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        decimal sum = 0;
        foreach (var r in csv.GetRecords<TradeRecord>()) sum += r.Price;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    [BenchmarkCategory("read")]
    public long ReadTickEngine()
    {
        using var r = SegmentReader.Open(_segment);
        var buffer = r.CreateBuffer();
        long sum = 0;
        for (int b = 0; b < r.Blocks.Count; b++)
        {
            r.ReadBlock(b, buffer);
            foreach (long v in buffer.Column(TradeColumns.Price)) sum += v;
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Rows)]
    [BenchmarkCategory("read")]
    public long ReadStructsLz4()
    {
        var block = new TradeStruct[4096];
        var bytes = MemoryMarshal.AsBytes(block.AsSpan());
        long sum = 0;
        int pos = 0;
        for (int b = 0; b < _lz4Sizes.Length && _lz4Sizes[b] > 0; b++)
        {
            int n = Lz4Block.Decompress(_lz4.AsSpan(pos, _lz4Sizes[b]), bytes);
            pos += _lz4Sizes[b];
            int count = n / Marshal.SizeOf<TradeStruct>();
            for (int i = 0; i < count; i++) sum += block[i].Price;
        }
        return sum;
    }

    private void WriteCsv(Stream s)
    {
        using var writer = new StreamWriter(s, leaveOpen: true);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        csv.WriteHeader<TradeRecord>();
        csv.NextRecord();
        var rec = new TradeRecord();
        foreach (var r in _rows)
        {
            rec.Timestamp = r[0];
            rec.ReceiveTime = r[1];
            rec.TradeId = r[2];
            rec.Price = r[3] / 100_000_000m;
            rec.Quantity = r[4] / 100_000_000m;
            rec.Side = r[5] == 1 ? "buy" : "sell";
            csv.WriteRecord(rec);
            csv.NextRecord();
        }
    }

    private long CompressStructs()
    {
        var bytes = MemoryMarshal.AsBytes(_structs.AsSpan());
        int rowSize = Marshal.SizeOf<TradeStruct>();
        int pos = 0, b = 0;
        for (int start = 0; start < _structs.Length; start += 4096, b++)
        {
            int n = Math.Min(4096, _structs.Length - start);
            int size = Lz4Block.Compress(bytes.Slice(start * rowSize, n * rowSize), _lz4.AsSpan(pos));
            _lz4Sizes[b] = size;
            pos += size;
        }
        return pos;
    }
}
