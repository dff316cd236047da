using System.Diagnostics;
using TickEngine.Engine.Events;
using TickEngine.Engine.Handlers;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Sinks;
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
    private readonly List<RowOutput> _outputs = new();
    private readonly Stopwatch _clock = new();
    private readonly CancellationTokenSource _sinkStop = new();
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
        Publisher = new EventPublisher(_disruptor.Ring, _disruptor.Sequencer) { Probe = options.Probe, ReceiveTimeUnknown = options.ReceiveTimeUnknown };
        foreach (var (exchange, requester) in exchanges)
        {
            var venue = Venues.VenueRegistry.Find(exchange) ?? throw new ArgumentException($"exchange '{exchange}' is not supported: {Venues.VenueRegistry.Names}");
            if (Adapters.Any(a => a.Exchange == venue.Name)) throw new ArgumentException($"exchange '{exchange}' is given twice");
            Adapters.Add(venue.Create(new Venues.VenueContext(Registry, Publisher, options.Rules, requester, options.DefaultSymbol) { Schemas = options.Types }));
        }
        var writerOptions = new Storage.Writing.SegmentWriterOptions();
        var targets = new HashSet<string>();
        foreach (var reg in options.Sinks)
        {
            if (!targets.Add(reg.Sink.Target)) throw new ArgumentException($"the sink {reg.Sink.Target} is given twice");
            Runners.Add(new SinkRunner(options.Root, reg, (runner, e) => _sinkStop.Cancel()));
        }
        RowOutput Output(SchemaKind kind, int depth = 0)
        {
            var o = new RowOutput(kind, Registry, new SegmentSink(options.Root, writerOptions), Runners, depth, options.CommitInterval)
            {
                WallClockFlush = options.WallClockFlush,
                Probe = options.Probe,
            };
            _outputs.Add(o);
            return o;
        }
        var handlers = new List<IValueEventHandler<MarketEvent>>();
        // Every schema whose rows are events gets the one row writer, with its definition; L2 samples and bars their own.
        EventRowWriterHandler? Writer(SchemaKind kind) => options.Types.Contains(kind) || kind == SchemaKind.Status
            ? Add(new EventRowWriterHandler(Output(kind), Schemas.SchemaDefinitions.Of(kind))) : null;
        EventRowWriterHandler Add(EventRowWriterHandler h) { handlers.Add(h); Writers.Add(h); return h; }
        Trades = Writer(SchemaKind.Trades);
        Deltas = Writer(SchemaKind.Deltas);
        // Receive and exchange times advance together only where exchange times are bounded against receive times.
        bool comparable = options.Rules.SkewBounded && !options.ReceiveTimeUnknown;
        if (options.Types.Contains(SchemaKind.L2)) handlers.Add(L2 = new L2SamplerHandler(Output(SchemaKind.L2, options.Depth), options.Depth, options.IntervalNs, comparable));
        if (options.Types.Contains(SchemaKind.Bars)) handlers.Add(Bars = new BarAggregatorHandler(Output(SchemaKind.Bars), options.BarIntervals, comparable));
        Writer(SchemaKind.Quotes);
        Writer(SchemaKind.Funding);
        Status = Writer(SchemaKind.Status)!;
        if (options.SharedHandlerThread) _disruptor.HandleEventsWith(new AggregateEventHandler<MarketEvent>(handlers));
        else foreach (var h in handlers) _disruptor.HandleEventsWith(h);
        foreach (var h in options.ExtraHandlers) _disruptor.HandleEventsWith(h);
    }

    public RecordOptions Options { get; }
    public InstrumentRegistry Registry { get; }
    public EventPublisher Publisher { get; }
    /// <summary>The first exchange's adapter, when it is Binance's (live recording and its tests).</summary>
    public BinanceAdapter Adapter => Adapters[0] as BinanceAdapter ?? throw new InvalidOperationException($"the first adapter is {Adapters[0].Exchange}'s, not Binance's");

    /// <summary>One adapter per exchange, in the order given.</summary>
    public List<IExchangeAdapter> Adapters { get; } = new();
    public EventRowWriterHandler? Trades { get; }
    public EventRowWriterHandler? Deltas { get; }

    /// <summary>The row writers of the schemas whose rows are events, status included.</summary>
    public List<EventRowWriterHandler> Writers { get; } = new();
    public L2SamplerHandler? L2 { get; }
    public BarAggregatorHandler? Bars { get; }
    public EventRowWriterHandler Status { get; }

    /// <summary>One runner per sink (its thread, queue and policy), in the order given.</summary>
    public List<SinkRunner> Runners { get; } = new();

    /// <summary>Cancelled when a sink fails under <see cref="FailurePolicy.Stop"/>: the run should end (see <see cref="SinkRunner.StopError"/>).</summary>
    public CancellationToken SinkStopped => _sinkStop.Token;

    /// <summary>The sink failures that stopped the run, as messages.</summary>
    public IEnumerable<string> SinkStopErrors => Runners.Where(r => r.StopError is not null).Select(r => $"sink {r.Sink.Target} failed ({r.StopError!.GetType().Name}: {r.StopError.Message}): the run was stopped (policy stop)");

    /// <summary>Each schema's output (rows, bytes), readable from any thread.</summary>
    public IReadOnlyList<RowOutput> Outputs => _outputs;
    public ValueDisruptor<MarketEvent> Disruptor => _disruptor;
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Bytes the handler threads have allocated since they started (see <see cref="IEventProcessor.AllocatedBytes"/>).</summary>
    public long HandlerAllocatedBytes => _disruptor.Processors.Sum(p => p.AllocatedBytes);

    private Storage.Layout.DataRootLock? _lock;

    /// <summary>
    /// Takes the data root's write lock (one writer per root: a second is refused with
    /// <see cref="Storage.Layout.DataRootLockedException"/>, naming the first), starts the sink runners (each notes
    /// where the root's streams end and catches its sink up on its own thread) and the handlers.
    /// </summary>
    public void Start()
    {
        _lock = Storage.Layout.DataRootLock.Acquire(Options.Root, Options.Purpose ?? $"recording {Options.Exchange}");
        try
        {
            foreach (var r in Runners) r.Start();
        }
        catch
        {
            foreach (var r in Runners) r.Abandon();
            _lock.Dispose();
            _lock = null;
            throw;
        }
        _disruptor.Start();
        _clock.Start();
    }

    /// <summary>How long sinks get to finish once a stop has been asked for (Ctrl+C, SIGTERM): the rest is caught up by a later run.</summary>
    public static readonly TimeSpan SinkGrace = TimeSpan.FromMilliseconds(300);

    /// <summary>
    /// Publishes what is claimed, lets every handler finish, flushes and seals every segment, then lets every sink
    /// take what is left (up to its drain timeout; when <paramref name="cancel"/> is cancelled, up to
    /// <see cref="SinkGrace"/> more: handlers waiting for a full sink queue are let go then too).
    /// </summary>
    public void Stop(CancellationToken cancel = default)
    {
        if (_stopped) return;
        _stopped = true;
        Publisher.Publish();
        using var hurry = cancel.Register(() =>
        {
            // A stop was asked for: handlers must not wait on a slow sink for longer than the grace.
            var timer = new Timer(_ => { foreach (var r in Runners) r.Abandon(); }, null, SinkGrace, Timeout.InfiniteTimeSpan);
            _graceTimer = timer;
        });
        try
        {
            _disruptor.Shutdown();
            foreach (var r in Runners) r.Complete(cancel, SinkGrace);
        }
        finally
        {
            _clock.Stop();
            _lock?.Dispose();
            _lock = null;
            _graceTimer?.Dispose();
        }
    }

    private Timer? _graceTimer;

    /// <summary>Handler failures (a full disk, a damaged segment), if any.</summary>
    public IEnumerable<(string Handler, Exception Fault)> Faults => _disruptor.Faults;

    /// <summary>The run's counters (see <see cref="RecordStatistics.ToJson"/> for the summary JSON).</summary>
    public RecordStatistics Statistics()
    {
        var ingest = new IngestCounters();
        foreach (var a in Adapters) ingest.Add(a.Counters);
        return new RecordStatistics
        {
            Exchange = string.Join(",", Adapters.Select(a => a.Exchange)),
            Ingest = ingest,
            EventsPublished = Publisher.Published,
            ProducerWaitNs = (long)(_disruptor.Sequencer.WaitTicks * (1e9 / Stopwatch.Frequency)),
            ProducerWaits = _disruptor.Sequencer.Waits,
            ElapsedSeconds = _clock.Elapsed.TotalSeconds,
            Outputs = _outputs.Select(o => new OutputStatistics(o.Kind, o.CommittedRows, o.Bytes)).ToList(),
            Sinks = Runners.Select(r => r.Statistics).ToList(),
            L2Samples = L2?.Samples,
            L2SkippedBoundaries = L2?.SkippedBoundaries,
            BarsFlat = Bars?.FlatBars,
            LateTrades = Bars?.LateTrades,
            Instruments = Registry.All.Select(i => $"{i.Exchange}/{i.Symbol}").ToList(),
            HandlerFaults = Faults.Select(f => $"{f.Handler}: {f.Fault.Message}").Concat(SinkStopErrors).ToList(),
        };
    }
}
