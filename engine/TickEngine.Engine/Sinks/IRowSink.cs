using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// Where computed rows go. Handlers compute each row once (a trade, a level change, an L2 sample, a bar, a status
/// marker, ...) and hand it to every sink of its schema: the segment writer first (<see cref="SegmentSink"/>, the
/// source of truth), then any others (a database, a rolling buffer, a message bus). The whole contract is
/// <see cref="Write"/>, <see cref="Flush"/> and <see cref="IDisposable.Dispose"/>.
/// <para>Threads: an instance is created for one schema and is only ever called from that schema's handler
/// thread, so it needs no locks. <see cref="Write"/> is on the hot path: it should not block for long (buffer,
/// and send in <see cref="Flush"/> or on a thread of its own).</para>
/// <para>Failures: an exception from a secondary sink is caught, counted and reported, and never stops the
/// recording or the segment writer; the sink is skipped until the next batch (its rows in between are counted
/// as dropped). An exception from the segment sink stops the run cleanly.</para>
/// </summary>
public interface IRowSink : IDisposable
{
    /// <summary>
    /// One row of <paramref name="schema"/> for <paramref name="instrument"/>: one value per column in the schema's
    /// order (times in ns, prices and quantities as mantissas at the schema's scales). The span is valid only for
    /// the call.
    /// </summary>
    void Write(Instrument instrument, SegmentSchema schema, ReadOnlySpan<long> row);

    /// <summary>The end of a batch of rows: make what was written durable or visible.</summary>
    void Flush();
}
