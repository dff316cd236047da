using System.Text.Json;
using BenchmarkDotNet.Attributes;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Ring;

namespace TickEngine.Benchmarks.Parsing;

/// <summary>
/// Parsing the real Binance trade frames (9,757) and depth frames (3,451): TickEngine's Utf8JsonReader parser
/// straight into ring slots (with the book sync for depth), against System.Text.Json's JsonSerializer and
/// Newtonsoft.Json deserialising into classes (the baseline). One operation = one frame.
/// </summary>
[MemoryDiagnoser]
public class ParsingBenchmarks
{
    // Binance sends decimals as JSON strings: the classes read them into decimal.
    private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowReadingFromString };
    private List<FixtureFrames.Frame> _trades = null!;
    private List<FixtureFrames.Frame> _depth = null!;
    private FixtureFrames.Frame _snapshot = null!;
    private BinanceAdapter _adapter = null!;
    private ValueDisruptor<MarketEvent> _ring = null!;
    private long _tradeBytes, _depthBytes;

    [GlobalSetup]
    public void Setup()
    {
        var all = FixtureFrames.All();
        _trades = FixtureFrames.Trades();
        _depth = FixtureFrames.Depth();
        _snapshot = all.First(f => f.IsRest);
        _tradeBytes = _trades.Sum(f => f.Bytes.LongLength);
        _depthBytes = _depth.Sum(f => f.Bytes.LongLength);
        Console.WriteLine($"// trade frames {_trades.Count}, {_tradeBytes / (double)_trades.Count:F0} B each; depth frames {_depth.Count}, {_depthBytes / (double)_depth.Count:F0} B each");
        _ring = new ValueDisruptor<MarketEvent>(1 << 16); // no handlers: measures the producer alone
        _adapter = new BinanceAdapter(new InstrumentRegistry(), new EventPublisher(_ring.Ring, _ring.Sequencer), futures: false);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = 9757)]
    [BenchmarkCategory("trade")]
    public long TradesJsonSerializer()
    {
        long sum = 0;
        foreach (var f in _trades) sum += JsonSerializer.Deserialize<CombinedTrade>(f.Bytes, Json)!.data!.t;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = 9757)]
    [BenchmarkCategory("trade")]
    public long TradesNewtonsoft()
    {
        long sum = 0;
        foreach (var f in _trades) sum += Newtonsoft.Json.JsonConvert.DeserializeObject<CombinedTrade>(System.Text.Encoding.UTF8.GetString(f.Bytes))!.data!.t;
        return sum;
    }

    /// <summary>The floor: Utf8JsonReader reading every token of each frame and nothing else.</summary>
    [Benchmark(OperationsPerInvoke = 9757)]
    [BenchmarkCategory("trade")]
    public long TradesUtf8JsonReaderTokensOnly()
    {
        long n = 0;
        foreach (var f in _trades)
        {
            var r = new Utf8JsonReader(f.Bytes);
            while (r.Read()) n++;
        }
        return n;
    }

    [Benchmark(OperationsPerInvoke = 9757)]
    [BenchmarkCategory("trade")]
    public long TradesTickEngine()
    {
        foreach (var f in _trades) _adapter.OnFrame(f.Bytes, f.ReceiveNs);
        return _adapter.Counters.TradeEvents;
    }

    [Benchmark(OperationsPerInvoke = 3451)]
    [BenchmarkCategory("depth")]
    public long DepthJsonSerializer()
    {
        long sum = 0;
        foreach (var f in _depth) sum += JsonSerializer.Deserialize<CombinedDepth>(f.Bytes, Json)!.data!.b!.Length;
        return sum;
    }

    [Benchmark(OperationsPerInvoke = 3451)]
    [BenchmarkCategory("depth")]
    public long DepthTickEngine()
    {
        // The snapshot first, so that the diffs are applied to a synced book (the full depth path).
        var adapter = new BinanceAdapter(new InstrumentRegistry(), new EventPublisher(_ring.Ring, _ring.Sequencer), futures: false);
        foreach (var f in _depth)
        {
            adapter.OnFrame(f.Bytes, f.ReceiveNs);
            if (f == _depth[2]) adapter.OnRest(_snapshot.Bytes, _snapshot.ReceiveNs, null);
        }
        return adapter.Counters.DiffsApplied;
    }

    public long DepthBytes => _depthBytes;

#pragma warning disable IDE1006 // JSON names
    public sealed class CombinedTrade { public string? stream { get; set; } public TradeData? data { get; set; } }
    public sealed class TradeData
    {
        public string? e { get; set; }
        public long E { get; set; }
        public string? s { get; set; }
        public long t { get; set; }
        public decimal p { get; set; }
        public decimal q { get; set; }
        public long T { get; set; }
        public bool m { get; set; }
        public bool M { get; set; }
    }
    public sealed class CombinedDepth { public string? stream { get; set; } public DepthData? data { get; set; } }
    public sealed class DepthData
    {
        public string? e { get; set; }
        public long E { get; set; }
        public string? s { get; set; }
        public long U { get; set; }
        public long u { get; set; }
        public string[][]? b { get; set; }
        public string[][]? a { get; set; }
    }
#pragma warning restore IDE1006
}
