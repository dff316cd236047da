using System.IO.Compression;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Venues.Coinbase;

namespace TickEngine.Benchmarks.Parsing;

/// <summary>
/// The other venues' adapters on their real captures, one operation = one frame: OKX v5's 410 frames (290 books
/// messages with their checksums verified, 77 trades, the rest control) and Coinbase Advanced Trade's 1,031
/// frames (775 l2_data with 74,193 level changes, 59 market_trades, the rest control), and Bybit v5's 3,227 frames
/// (2,148 orderbook.200 messages with 20,809 level changes, 120 publicTrade, tickers judged against the books, on a
/// linear and a spot connection) through the adapter and its
/// books into ring slots, against System.Text.Json's JsonDocument reading every frame (the baseline, which builds
/// nothing). A fresh adapter per invocation (its sequence starts again), so the figure includes syncing both books.
/// </summary>
[MemoryDiagnoser]
public class VenueBenchmarks
{
    private List<(long ReceiveNs, byte[] Bytes)> _coinbase = null!;
    private List<(long ReceiveNs, byte[] Bytes)> _okx = null!;
    private List<(long ReceiveNs, byte[] Bytes, int Connection, string Address)> _bybit = null!;
    private ValueDisruptor<MarketEvent> _ring = null!;

    [GlobalSetup]
    public void Setup()
    {
        _coinbase = Records(Path.Combine(Path.GetDirectoryName(FixtureTrades.BinanceSpotCapture)!, "..", "coinbase", "cryptofeed_COINBASE_advanced_trade.jsonl.gz"));
        _okx = Records(Path.Combine(Path.GetDirectoryName(FixtureTrades.BinanceSpotCapture)!, "..", "okx", "cryptofeed_OKX_v5.jsonl.gz"));
        _bybit = BybitRecords(Path.Combine(Path.GetDirectoryName(FixtureTrades.BinanceSpotCapture)!, "..", "bybit", "cryptofeed_BYBIT_v5_linear_spot.jsonl.gz"));
        Console.WriteLine($"// okx frames {_okx.Count}, {_okx.Average(f => f.Bytes.Length):F0} B each");
        Console.WriteLine($"// bybit frames {_bybit.Count}, {_bybit.Average(f => f.Bytes.Length):F0} B each");
        Console.WriteLine($"// coinbase frames {_coinbase.Count}, {_coinbase.Average(f => f.Bytes.Length):F0} B each");
        _ring = new ValueDisruptor<MarketEvent>(1 << 17); // no handlers: measures the producer alone
    }

    /// <summary>The frames of a cryptofeed capture's recv records with their receive times (ns).</summary>
    private static List<(long, byte[])> Records(string path)
    {
        var list = new List<(long, byte[])>();
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.GetProperty("t").GetString() != "recv") continue;
            long ns = (long)(root.GetProperty("ts").GetDecimal() * 1_000_000_000m);
            list.Add((ns, Encoding.UTF8.GetBytes(root.GetProperty("data").GetString()!)));
        }
        return list;
    }

    /// <summary>Bybit's frames with the connection each came on (linear and spot) and its URL.</summary>
    private static List<(long, byte[], int, string)> BybitRecords(string path)
    {
        var list = new List<(long, byte[], int, string)>();
        var connections = new Dictionary<string, (int, string)>();
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            string type = root.GetProperty("t").GetString()!;
            if (type == "connect") connections[root.GetProperty("conn").GetString()!] = (connections.Count, root.GetProperty("addr").GetString()!);
            if (type != "recv") continue;
            var (id, address) = connections[root.GetProperty("conn").GetString()!];
            long ns = (long)(root.GetProperty("ts").GetDecimal() * 1_000_000_000m);
            list.Add((ns, Encoding.UTF8.GetBytes(root.GetProperty("data").GetString()!), id, address));
        }
        return list;
    }

    [Benchmark(OperationsPerInvoke = 3227)]
    [BenchmarkCategory("bybit")]
    public long BybitJsonDocument()
    {
        long n = 0;
        foreach (var (_, bytes, _, _) in _bybit)
        {
            using var doc = JsonDocument.Parse(bytes);
            n += doc.RootElement.ValueKind == JsonValueKind.Object ? 1 : 0;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = 3227)]
    [BenchmarkCategory("bybit")]
    public long BybitTickEngine()
    {
        var adapter = new Engine.Venues.Bybit.BybitAdapter(new InstrumentRegistry(), new EventPublisher(_ring.Ring, _ring.Sequencer));
        foreach (var (ns, bytes, connection, address) in _bybit)
        {
            adapter.OnConnection(connection, address);
            adapter.OnFrame(bytes, ns);
        }
        return adapter.Counters.DiffsApplied;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 1031)]
    [BenchmarkCategory("coinbase")]
    public long CoinbaseJsonDocument()
    {
        long n = 0;
        foreach (var (_, bytes) in _coinbase)
        {
            using var doc = JsonDocument.Parse(bytes);
            n += doc.RootElement.GetProperty("sequence_num").GetInt64();
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = 1031)]
    [BenchmarkCategory("coinbase")]
    public long CoinbaseTickEngine()
    {
        var adapter = new CoinbaseAdapter(new InstrumentRegistry(), new EventPublisher(_ring.Ring, _ring.Sequencer));
        foreach (var (ns, bytes) in _coinbase) adapter.OnFrame(bytes, ns);
        return adapter.Counters.LevelsApplied;
    }

    [Benchmark(OperationsPerInvoke = 410)]
    [BenchmarkCategory("okx")]
    public long OkxJsonDocument()
    {
        long n = 0;
        foreach (var (_, bytes) in _okx)
        {
            using var doc = JsonDocument.Parse(bytes);
            n += doc.RootElement.ValueKind == JsonValueKind.Object ? 1 : 0;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = 410)]
    [BenchmarkCategory("okx")]
    public long OkxTickEngine()
    {
        var adapter = new Engine.Venues.Okx.OkxAdapter(new InstrumentRegistry(), new EventPublisher(_ring.Ring, _ring.Sequencer));
        foreach (var (ns, bytes) in _okx) adapter.OnFrame(bytes, ns);
        return adapter.Counters.ChecksumMatched;
    }
}
