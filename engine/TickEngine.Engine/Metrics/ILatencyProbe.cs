using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Metrics;

/// <summary>
/// Optional timing hooks along the capture path, for latency measurement (<c>tickengine bench latency</c>). Times
/// are <see cref="Live.Clock.NowNs"/>. With no probe set, each hook costs one null check. Implementations must not
/// allocate or block: they run on the producer and handler threads.
/// </summary>
public interface ILatencyProbe
{
    /// <summary>Producer thread: ring sequences <paramref name="first"/>..<paramref name="last"/> are about to be published (parsed from their frame).</summary>
    void Published(long first, long last, long nowNs);

    /// <summary>A writer's thread: event <paramref name="sequence"/> is now a row of <paramref name="schema"/> (appended, not yet committed).</summary>
    void Handled(SchemaKind schema, long sequence, in MarketEvent e, long nowNs);

    /// <summary>A writer's thread: <paramref name="committedRows"/> rows of <paramref name="schema"/> (over all instruments) are committed.</summary>
    void Committed(SchemaKind schema, long committedRows, long nowNs);
}
