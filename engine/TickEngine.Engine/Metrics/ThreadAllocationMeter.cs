namespace TickEngine.Engine.Metrics;

/// <summary>
/// Bytes the current thread allocates over a span of work, for proving a hot path allocation-free while it runs
/// for real. <see cref="GC.GetAllocatedBytesForCurrentThread"/> is exact between collections, but a collection
/// (a background one included) retires the thread's allocation context and the count then takes in the unused
/// rest of it (up to an allocation quantum) without anything being allocated. A span during which the runtime
/// paused for a collection is therefore reported as not measurable; a real per-event allocation shows in the
/// other spans. Allocation-free itself; one thread at a time.
/// </summary>
public struct ThreadAllocationMeter
{
    private long _bytes;
    private int _collections;
    private TimeSpan _paused;

    /// <summary>Starts a span on the current thread.</summary>
    public void Mark()
    {
        _collections = GC.CollectionCount(0);
        _paused = GC.GetTotalPauseDuration();
        _bytes = GC.GetAllocatedBytesForCurrentThread();
    }

    /// <summary>The bytes allocated since <see cref="Mark"/>; false when a collection ran meanwhile (then not measurable).</summary>
    public readonly bool TryTake(out long bytes)
    {
        bytes = GC.GetAllocatedBytesForCurrentThread() - _bytes;
        return GC.CollectionCount(0) == _collections && GC.GetTotalPauseDuration() == _paused;
    }
}
