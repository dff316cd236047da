namespace TickEngine.Engine.Sinks;

/// <summary>Committed rows <see cref="From"/> to <see cref="To"/> (exclusive) of one segment, and when they were committed.</summary>
internal struct PendingRange
{
    public long From, To;
    public long Ticks;
}
