using System.Diagnostics;
using TickEngine.Engine.Events;
using TickEngine.Engine.Handlers;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ingest.Binance;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Pipeline;

/// <summary>
/// The capture engine: an exchange adapter on the producer thread publishing <see cref="MarketEvent"/>s onto a
/// Disruptor-style ring, and one handler thread per output (trades, deltas, l2 samples, bars, status markers)
/// writing segments. <see cref="Stop"/> drains every published event through every handler and seals the
/// segments. The producer side (the adapter) is called from one thread.
/// </summary>
public sealed class RecordPipeline
{
    private readonly ValueDisruptor<MarketEvent> _disruptor;
    private readonly List<SegmentSink> _sinks = new();
    private readonly Stopwatch _clock = new();
    private bool _stopped;

    public RecordPipeline(RecordOptions options, ISnapshotRequester? requester = null)
        : this(options, [(options.Exchange, requester)])
    {
    }

    /// <summary>A pipeline for several exchanges at once: one adapter each, one ring, one producer.</summary>
    public RecordPipeline(RecordOptions options, IReadOnlyList<(string Exchange, ISnapshotRequester? Requester)> exchanges)
    {
        Options = options;
        Registry = new InstrumentRegistry();
        _disruptor = new ValueDisruptor<MarketEvent>(options.RingSize, options.WaitStrategy);
        Publisher = new EventPublisher(_disruptor.Ring, _disruptor.Sequencer) { Probe = options.Probe };
        foreach (var (exchange, requester) in exchanges)
        {
            bool futures = exchange switch
            {
                "binance" => false,
                "binance-futures" => true,
                _ => throw new ArgumentException($"exchange '{exchange}' is not supported: binance or binance-futures"),
            };
            if (Adapters.Any(a => a.Exchange == exchange)) throw new ArgumentException($"exchange '{exchange}' is given twice");
            Adapters.Add(new BinanceAdapter(Registry, Publisher, futures, requester) { DefaultSymbol = options.DefaultSymbol });
        }
        var writerOptions = new Storage.Writing.SegmentWriterOptions();
        SegmentSink Sink(SchemaKind kind, int depth = 0)
        {
            var s = new SegmentSink(options.Root, Registry, kind, depth, writerOptions) { FlushInterval = options.FlushInterval, WallClockFlush = options.WallClockFlush, Probe = options.Probe };
            _sinks.Add(s);
            return s;
        }
        if (options.Types.Contains(SchemaKind.Trades)) _disruptor.HandleEventsWith(Trades = new TradeWriterHandler(Sink(SchemaKind.Trades)));
        if (options.Types.Contains(SchemaKind.Deltas)) _disruptor.HandleEventsWith(Deltas = new DeltaWriterHandler(Sink(SchemaKind.Deltas)));
        if (options.Types.Contains(SchemaKind.L2)) _disruptor.HandleEventsWith(L2 = new L2SamplerHandler(Sink(SchemaKind.L2, options.Depth), options.Depth, options.IntervalNs));
        if (options.Types.Contains(SchemaKind.Bars)) _disruptor.HandleEventsWith(Bars = new BarAggregatorHandler(Sink(SchemaKind.Bars), options.BarIntervals));
        _disruptor.HandleEventsWith(Status = new StatusWriterHandler(Sink(SchemaKind.Status)));
        foreach (var h in options.ExtraHandlers) _disruptor.HandleEventsWith(h);
    }

    public RecordOptions Options { get; }
    public InstrumentRegistry Registry { get; }
    public EventPublisher Publisher { get; }
    /// <summary>The first exchange's adapter.</summary>
    public BinanceAdapter Adapter => Adapters[0];

    /// <summary>One adapter per exchange, in the order given.</summary>
    public List<BinanceAdapter> Adapters { get; } = new();
    public TradeWriterHandler? Trades { get; }
    public DeltaWriterHandler? Deltas { get; }
    public L2SamplerHandler? L2 { get; }
    public BarAggregatorHandler? Bars { get; }
    public StatusWriterHandler Status { get; }
    public ValueDisruptor<MarketEvent> Disruptor => _disruptor;
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Bytes the handler threads have allocated since they started (see <see cref="IEventProcessor.AllocatedBytes"/>).</summary>
    public long HandlerAllocatedBytes => _disruptor.Processors.Sum(p => p.AllocatedBytes);

    public void Start()
    {
        _disruptor.Start();
        _clock.Start();
    }

    /// <summary>Publishes what is claimed, lets every handler finish, flushes and seals every segment.</summary>
    public void Stop()
    {
        if (_stopped) return;
        _stopped = true;
        Publisher.Publish();
        _disruptor.Shutdown();
        _clock.Stop();
    }

    /// <summary>Handler failures (a full disk, a damaged segment), if any.</summary>
    public IEnumerable<(string Handler, Exception Fault)> Faults => _disruptor.Faults;

    private static IngestCounters Sum(IEnumerable<IngestCounters> all)
    {
        var total = new IngestCounters();
        foreach (var c in all)
            foreach (var f in typeof(IngestCounters).GetFields())
                if (f.FieldType == typeof(long)) f.SetValue(total, (long)f.GetValue(total)! + (long)f.GetValue(c)!);
        return total;
    }

    /// <summary>The run's counters, with the keys of the summary JSON.</summary>
    public Dictionary<string, object> Summary()
    {
        var c = Adapters.Count == 1 ? Adapter.Counters : Sum(Adapters.Select(a => a.Counters));
        double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);
        var d = new Dictionary<string, object>
        {
            ["exchange"] = string.Join(",", Adapters.Select(a => a.Exchange)),
            ["frames"] = c.Frames,
            ["malformed"] = c.Malformed,
            ["unknown"] = c.Unknown,
            ["control"] = c.Control,
            ["trade_events"] = c.TradeEvents,
            ["duplicate_trades"] = c.DuplicateTrades,
            ["depth_messages"] = c.DepthMessages,
            ["diffs_applied"] = c.DiffsApplied,
            ["diffs_stale"] = c.DiffsStale,
            ["diffs_buffered"] = c.DiffsBuffered,
            ["levels_applied"] = c.LevelsApplied,
            ["gaps"] = c.Gaps,
            ["syncs"] = c.Syncs,
            ["resyncs"] = c.Resyncs,
            ["book_ticker_matched"] = c.BookTickerMatched,
            ["book_ticker_mismatched"] = c.BookTickerMismatched,
            ["book_ticker_unchecked"] = c.BookTickerUnchecked,
            ["crossed"] = c.Crossed,
            ["rest_snapshots"] = c.RestSnapshots,
            ["snapshots_stale"] = c.SnapshotsStale,
            ["server_shutdowns"] = c.ServerShutdowns,
            ["events_published"] = Publisher.Published,
            ["producer_wait_ns"] = (long)(_disruptor.Sequencer.WaitTicks * (1e9 / Stopwatch.Frequency)),
            ["producer_waits"] = _disruptor.Sequencer.Waits,
            ["elapsed_s"] = Math.Round(seconds, 3),
            ["frames_per_s"] = Math.Round(c.Frames / seconds, 0),
        };
        foreach (var s in _sinks)
        {
            string name = SegmentSchema.NameOf(s.Kind);
            d[$"rows_{name}"] = s.CommittedRows;
            d[$"bytes_{name}"] = s.Bytes;
        }
        if (L2 is not null)
        {
            d["l2_samples"] = L2.Samples;
            d["l2_skipped_boundaries"] = L2.SkippedBoundaries;
        }
        if (Bars is not null)
        {
            d["bars_flat"] = Bars.FlatBars;
            d["late_trades"] = Bars.LateTrades;
        }
        d["malformed_by_reason"] = Adapters.SelectMany(a => a.Counters.MalformedByReason).GroupBy(kv => kv.Key).Select(g => $"{g.Key}: {g.Sum(kv => kv.Value)}").ToArray();
        d["malformed_samples"] = Adapters.SelectMany(a => a.Counters.MalformedSamples).ToArray();
        d["instruments"] = Registry.All.Select(i => $"{i.Exchange}/{i.Symbol}").ToArray();
        return d;
    }
}
