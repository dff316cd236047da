using BenchmarkDotNet.Attributes;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Cli.Csv;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;

namespace TickEngine.Benchmarks.Storage;

/// <summary><c>export csv</c>'s inner loop: decode a segment and format every row as CSV (to a null stream).</summary>
[MemoryDiagnoser]
public class ExportCsvBenchmarks
{
    private const int Rows = 1_000_000;
    private string _dir = null!;
    private string _segment = null!;
    private readonly byte[] _symbol = "BTCUSDT"u8.ToArray();
    private readonly byte[] _exchange = "binance"u8.ToArray();

    [GlobalSetup]
    public void Setup()
    {
        _dir = Path.Combine(Path.GetTempPath(), "tickengine-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _segment = Path.Combine(_dir, "t.tks");
        var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 0, 0);
        using var w = SegmentWriter.Create(_segment, header);
        foreach (var r in FixtureTrades.Synthetic(Rows)) w.Append(r);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_dir, true);

    [Benchmark(OperationsPerInvoke = Rows)]
    public long ExportTradesCsv()
    {
        using var o = new Utf8Output(Stream.Null);
        using var c = new SegmentCursor(SegmentReader.Open(_segment));
        while (c.MoveNext()) ExportLayout.WriteCsv(o, c, _symbol, _exchange, full: false);
        o.Flush();
        return o.BytesWritten;
    }
}
