namespace TickEngine.Engine.Sinks;

/// <summary>
/// A sink runner's view of one segment: where the sink starts in it, what it was given and holds durably (the
/// runner's thread), how far it is committed, and the committed rows the sink does not hold yet (under the lock).
/// Positions are row numbers in the segment.
/// </summary>
internal sealed class SegmentState(SegmentId id, long origin)
{
    public SegmentId Id { get; } = id;

    /// <summary>The first row the sink is to have when it holds nothing of this segment.</summary>
    public long Origin { get; } = origin;

    /// <summary>The end of what the sink was given (runner thread); -1 before anything.</summary>
    public long Given = -1;

    /// <summary>The end of what the sink holds durably (-1: nothing).</summary>
    public long Durable = -1;

    /// <summary>The end of the committed rows the sink is to have (under the lock).</summary>
    public long Committed;

    /// <summary>Committed rows the sink does not hold yet, in order (under the lock).</summary>
    public readonly RangeQueue Pending = new();

    /// <summary>Where the sink is: what it was given, or where it starts.</summary>
    public long GivenOrOrigin => Given >= 0 ? Given : Durable >= 0 ? Durable : Origin;
}
