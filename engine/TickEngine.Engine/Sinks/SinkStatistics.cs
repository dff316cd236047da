namespace TickEngine.Engine.Sinks;

/// <summary>
/// What one sink did in a run, readable from any thread (values may be a moment old). Lag is what the segments hold
/// that the sink has not yet made durable: in rows, and in seconds since the oldest such row was committed (rows
/// committed before this run count from its start).
/// </summary>
public sealed class SinkStatistics
{
    private readonly SinkRunner _runner;

    internal SinkStatistics(SinkRunner runner) => _runner = runner;

    public string Name => _runner.Sink.Name;
    public string Target => _runner.Sink.Target;
    public FailurePolicy Policy => _runner.Options.Policy;
    public SinkState State => _runner.State;

    /// <summary>Rows committed while the sink was attached, offered to it as they were committed.</summary>
    public long RowsOffered => Interlocked.Read(ref _runner.Counters.Offered);

    /// <summary>Rows given to the sink (again after a failure, if need be).</summary>
    public long RowsGiven => Interlocked.Read(ref _runner.Counters.Given);

    /// <summary>Rows the sink made durable in this run.</summary>
    public long RowsDurable => Interlocked.Read(ref _runner.Counters.Durable);

    /// <summary>Rows read back from the segments (a restart's backlog, a full queue, a failure).</summary>
    public long RowsCaughtUp => Interlocked.Read(ref _runner.Counters.CaughtUp);

    /// <summary>Rows left to the segments because the queue was full (<see cref="FailurePolicy.CatchUp"/>): read back later.</summary>
    public long RowsDeferred => Interlocked.Read(ref _runner.Counters.Deferred);

    /// <summary>Rows the sink will never hold (<see cref="FailurePolicy.Drop"/>: a full queue or a failure).</summary>
    public long RowsDropped => Interlocked.Read(ref _runner.Counters.Dropped);

    /// <summary>Rows of damaged segment blocks that could not be read back (left out, reported).</summary>
    public long RowsUnreadable => Interlocked.Read(ref _runner.Counters.Unreadable);

    /// <summary>Calls to the sink that threw.</summary>
    public long Failures => Interlocked.Read(ref _runner.Counters.Failures);

    /// <summary>Time handler threads waited for room in the queue (<see cref="FailurePolicy.Block"/>, <see cref="FailurePolicy.Stop"/>).</summary>
    public double HandlerWaitSeconds => Interlocked.Read(ref _runner.Counters.WaitTicks) / (double)System.Diagnostics.Stopwatch.Frequency;

    /// <summary>The most rows the queue held.</summary>
    public long QueuePeakRows => Interlocked.Read(ref _runner.Counters.QueuePeak);

    /// <summary>Rows the segments hold that the sink has not made durable.</summary>
    public long LagRows => _runner.Lag().Rows;

    /// <summary>Seconds since the oldest row the sink has not made durable was committed (0 when it holds everything).</summary>
    public double LagSeconds => _runner.Lag().Seconds;

    /// <summary>The last failure's type and message, or a problem found (an unreadable ledger line, a damaged block).</summary>
    public string? LastError => _runner.LastError;
}
