namespace TickEngine.Engine.Sinks;

/// <summary>
/// What a sink's runner does when the sink fails (a call throws) or falls behind (its queue reaches the pause
/// threshold). The segments are written first and never wait for a sink except under <see cref="Block"/> and
/// <see cref="Stop"/>; whatever a sink misses stays in the segments.
/// </summary>
public enum FailurePolicy
{
    /// <summary>
    /// Behind: the handler waits for room (the recording slows to the sink's pace; on a live feed the ring fills).
    /// Failed: the sink is recovered and the rows it lost are given again, read from the segments, after a back-off;
    /// the recording waits meanwhile once the queue is full.
    /// </summary>
    Block,

    /// <summary>
    /// Behind: batches are dropped, counted, until the queue is back under the resume threshold. Failed: the batch
    /// and whatever the sink had not made durable are dropped, counted. The sink's data has holes; nothing waits.
    /// </summary>
    Drop,

    /// <summary>
    /// Behind: the handler waits, as with <see cref="Block"/>. Failed: the run stops cleanly (every segment sealed)
    /// and reports the sink's error; the sink's durable rows stay, a later run catches up.
    /// </summary>
    Stop,

    /// <summary>
    /// The default. Behind: batches are not queued; the runner reads those rows back from the segments when it has
    /// room. Failed: the sink is recovered after a back-off and given every row after its durable end again, from
    /// the segments. Nothing waits and nothing is lost: every row exactly once in a sink that keeps its positions.
    /// </summary>
    CatchUp,
}
