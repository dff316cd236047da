namespace TickEngine.Engine.Sinks;

/// <summary>How a sink's runner treats it: its failure policy, its queue's thresholds, where it starts.</summary>
public sealed record SinkOptions
{
    /// <summary>What happens when the sink fails or falls behind (default <see cref="FailurePolicy.CatchUp"/>).</summary>
    public FailurePolicy Policy { get; init; } = FailurePolicy.CatchUp;

    /// <summary>Queued rows at which the queue counts as full: the policy applies (block the handler, drop, or leave to the segments).</summary>
    public long PauseRows { get; init; } = 1_000_000;

    /// <summary>Queued rows under which a full queue takes batches again (default: half of <see cref="PauseRows"/>).</summary>
    public long? ResumeRows { get; init; }

    /// <summary>Where the sink starts on a stream it holds nothing of.</summary>
    public SinkStart Start { get; init; } = SinkStart.Run;

    /// <summary>The first wait after a failure; it doubles at each failure in a row up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// At the end of a run, how long to wait for the sink to take and make durable every row (then the run ends
    /// without it: a durable sink catches up in a later run). Ctrl+C or SIGTERM cuts the wait short.
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    internal long EffectiveResumeRows => Math.Min(ResumeRows ?? PauseRows / 2, PauseRows);
}
