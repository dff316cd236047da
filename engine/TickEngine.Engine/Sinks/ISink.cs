using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// Where a recording's rows go besides the segments (a Parquet folder, a database, a bus). The segments stay the
/// truth: a sink is given rows only once they are committed in the segments, in order per segment, as
/// <see cref="RowBatch"/>es (one segment's rows each) whose <see cref="RowBatch.End"/> is the segment's commit
/// watermark. A
/// <see cref="SinkRunner"/> gives each sink its own thread and bounded queue, applies its
/// <see cref="FailurePolicy"/>, and reads rows back from the segments whenever the sink is behind or lost rows.
/// <para>Exactly once: a <see cref="Durable"/> sink keeps, with its rows and as atomically as them, the end of what
/// it holds of each segment (a file name, a row in the same transaction); <see cref="OpenAsync"/> and
/// <see cref="RecoverAsync"/> return those ends and the runner gives every row after them, and only those.</para>
/// <para>Threads: every member is called from the runner's thread, one call at a time; calls may complete
/// asynchronously (the runner waits).</para>
/// </summary>
public interface ISink : IAsyncDisposable
{
    /// <summary>The sink's kind (<c>parquet</c>), for messages and the summary.</summary>
    string Name { get; }

    /// <summary>
    /// Where the rows go, the same in every run that writes there (<c>parquet:/data/pq</c>): the data root remembers
    /// which streams a target was attached to under it.
    /// </summary>
    string Target { get; }

    /// <summary>True when the sink keeps its rows across runs and knows what it holds (<see cref="OpenAsync"/>).</summary>
    bool Durable { get; }

    /// <summary>True for the schemas the sink takes.</summary>
    bool Accepts(SchemaKind schema);

    /// <summary>Prepares the sink; returns the durable end of every segment it holds rows of (empty when not <see cref="Durable"/>).</summary>
    ValueTask<IReadOnlyList<SinkDurable>> OpenAsync(CancellationToken cancel);

    /// <summary>
    /// Rows of one segment of a stream. A batch starts where the segment's previous batch ended, or later when rows
    /// were dropped (<see cref="FailurePolicy.Drop"/>), or where the sink starts in the segment the first time.
    /// </summary>
    ValueTask WriteAsync(RowBatch batch, CancellationToken cancel);

    /// <summary>Makes durable what is due (all of it for <see cref="SinkFlushKind.Final"/>); returns the durable ends that moved.</summary>
    ValueTask<SinkFlushResult> FlushAsync(SinkFlushKind kind, CancellationToken cancel);

    /// <summary>
    /// After a failure: forgets what it was given and did not make durable, and returns the durable end of every segment
    /// it holds (empty when not <see cref="Durable"/>: the runner then gives again what it gave since the last flush
    /// that returned, so such a sink sees a row at least once).
    /// </summary>
    ValueTask<IReadOnlyList<SinkDurable>> RecoverAsync(CancellationToken cancel);
}
