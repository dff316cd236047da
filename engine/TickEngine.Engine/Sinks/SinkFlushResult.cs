namespace TickEngine.Engine.Sinks;

/// <summary>
/// What a flush made durable: for each segment whose durable end moved, the new end (rows before it are kept and
/// will not be asked for again). A sink that keeps nothing across runs (<see cref="ISink.Durable"/> false) returns
/// <see cref="None"/>: everything it was given counts as taken once the flush returns.
/// </summary>
public readonly struct SinkFlushResult(IReadOnlyList<SinkDurable>? durable)
{
    public static SinkFlushResult None => default;

    /// <summary>The durable ends that moved (empty when none did).</summary>
    public IReadOnlyList<SinkDurable> Durable => durable ?? [];
}
