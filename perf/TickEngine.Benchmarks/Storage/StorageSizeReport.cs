using System.Diagnostics;
using System.Globalization;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;

namespace TickEngine.Benchmarks.Storage;

/// <summary>
/// <c>dotnet run -c Release --project perf/TickEngine.Benchmarks -- storage-size [--rows N]</c>: bytes per trade on
/// disk (total and per column) for the real Binance capture and for N synthetic trades with its statistics,
/// plus one-pass write and decode rates (BenchmarkDotNet's StorageBenchmarks are the careful figures).
/// </summary>
public static class StorageSizeReport
{
    public static int Run(string[] args)
    {
        long rows = HarnessArgs.Long(args, "--rows", 10_000_000);
        string dir = Path.Combine(Path.GetTempPath(), "tickengine-size-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            var real = FixtureTrades.Real();
            Report("real Binance spot BTCUSDT trades (fixture)", dir, "real.tks", real, real.Length);
            Report($"synthetic trades with the fixture's statistics", dir, "synthetic.tks", FixtureTrades.Synthetic(rows), rows);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
        return 0;
    }

    private static void Report(string title, string dir, string name, IEnumerable<long[]> rows, long count)
    {
        string path = Path.Combine(dir, name);
        var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 0, 0);
        var sw = Stopwatch.StartNew();
        using (var w = SegmentWriter.Create(path, header, new SegmentWriterOptions { InitialCapacity = 64 << 20 }))
            foreach (var r in rows) w.Append(r);
        double writeSeconds = sw.Elapsed.TotalSeconds;
        using var reader = SegmentReader.Open(path);
        var buffer = reader.CreateBuffer();
        sw.Restart();
        long sum = 0;
        for (int b = 0; b < reader.Blocks.Count; b++)
        {
            reader.ReadBlock(b, buffer);
            sum += buffer[TradeColumns.Price, 0];
        }
        double readSeconds = sw.Elapsed.TotalSeconds;
        long bytes = new FileInfo(path).Length;
        var perColumn = reader.ColumnStoredBytes();
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"== {title}: {count:N0} rows");
        Console.WriteLine(string.Format(inv, "   bytes on disk {0:N0}  = {1:F3} bytes/trade (all 7 columns, both timestamps exact)", bytes, (double)bytes / count));
        long recv = perColumn[TradeColumns.ReceiveTime];
        Console.WriteLine(string.Format(inv, "   without the receive-time column: {0:F3} bytes/trade", (double)(bytes - recv) / count));
        for (int c = 0; c < perColumn.Length; c++)
            Console.WriteLine(string.Format(inv, "     {0,-14} {1,7:F3} bytes/trade", header.Schema.Columns[c].Name, (double)perColumn[c] / count));
        Console.WriteLine(string.Format(inv, "   one-pass write {0:N0} rows/s, decode {1:N0} rows/s (checksum {2})", count / writeSeconds, count / readSeconds, sum != 0 ? "ok" : "zero"));
    }
}
