namespace TickEngine.Tests.Shared;

/// <summary>
/// Measures the bytes a piece of code allocates on the calling thread. Run it once to warm up (JIT, lazy
/// statics, first-time buffers), then measure a second run: steady state must be 0.
/// </summary>
public static class Allocations
{
    public static long Measure(Action warmUp, Action measured)
    {
        warmUp();
        long before = GC.GetAllocatedBytesForCurrentThread();
        measured();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    public static long Measure(Action action) => Measure(action, action);
}
