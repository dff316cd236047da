using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Pipeline;

/// <summary>What a recording writes and how.</summary>
public sealed record RecordOptions
{
    /// <summary>The data root segments go to.</summary>
    public required string Root { get; init; }

    /// <summary>"binance" (spot) or "binance-futures" (USD-M).</summary>
    public string Exchange { get; init; } = "binance";

    /// <summary>Schemas to write; status markers are always written.</summary>
    public IReadOnlySet<SchemaKind> Types { get; init; } = new HashSet<SchemaKind> { SchemaKind.Trades, SchemaKind.L2, SchemaKind.Bars, SchemaKind.Deltas };

    /// <summary>L2 levels per side.</summary>
    public int Depth { get; init; } = SegmentSchema.DefaultDepth;

    /// <summary>L2 sampling interval in nanoseconds.</summary>
    public long IntervalNs { get; init; } = 1_000_000_000;

    /// <summary>Ring slots (a power of two).</summary>
    public int RingSize { get; init; } = 1 << 16;

    /// <summary>How handlers wait; blocking by default (safe on 2 cores).</summary>
    public IWaitStrategy? WaitStrategy { get; init; }

    /// <summary>The symbol REST snapshots without a URL belong to (single-symbol captures).</summary>
    public string? DefaultSymbol { get; init; }

    /// <summary>Bar intervals in nanoseconds (default 1m, 5m, 15m, 1h, 4h, 1d).</summary>
    public long[]? BarIntervals { get; init; }

    /// <summary>Commit by wall clock when idle (live feeds); false for capture files, whose output is then deterministic.</summary>
    public bool WallClockFlush { get; init; } = true;

    /// <summary>
    /// Commit pending rows at every boundary of this grid of receive time (a killed recorder loses at most that
    /// much); null commits full blocks only (capture files: fewer, larger blocks and nothing to compact; a killed
    /// run is simply run again).
    /// </summary>
    public TimeSpan? CommitInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Run every handler on one consumer thread (one after the other) instead of a thread each. On 2 cores this
    /// leaves a core to the producer; live feeds keep a thread per handler so one slow writer does not delay the others.
    /// </summary>
    public bool SharedHandlerThread { get; init; }

    /// <summary>The rules frame values must meet (the exchange-time bound against the receive time, among others).</summary>
    public Ingest.FrameRules Rules { get; init; } = Ingest.FrameRules.Default;

    /// <summary>Secondary sinks every schema's rows go to besides the segments (a database, a bus, a buffer).</summary>
    public IReadOnlyList<Sinks.SinkRegistration> Sinks { get; init; } = [];

    /// <summary>Imported archives without our receive time: every row flagged <c>receive_time_unknown</c>, its receive time its exchange time.</summary>
    public bool ReceiveTimeUnknown { get; init; }

    /// <summary>Settings for a capture file: deterministic output, full blocks, one consumer thread.</summary>
    public static RecordOptions ForCapture(string root) => new() { Root = root, WallClockFlush = false, CommitInterval = null, SharedHandlerThread = true };

    /// <summary>More handlers on the ring (each on its own thread), e.g. measurements.</summary>
    public IReadOnlyList<Ring.IValueEventHandler<Events.MarketEvent>> ExtraHandlers { get; init; } = [];

    /// <summary>Timing hooks along the path (latency measurement); null in normal runs.</summary>
    public Metrics.ILatencyProbe? Probe { get; init; }

    /// <summary>What the run is, for the data root's lock (who holds it, when another writer is refused).</summary>
    public string? Purpose { get; init; }

    /// <summary>Live feeds: the largest WebSocket message taken; a larger one is counted as malformed and dropped unread.</summary>
    public int MaxFrameBytes { get; init; } = 16 << 20;

}
