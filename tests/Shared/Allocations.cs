using System.Runtime;

namespace TickEngine.Tests.Shared;

/// <summary>
/// Measures the bytes a piece of code allocates on the calling thread. Run it once to warm up (JIT, lazy
/// statics, first-time buffers), then measure a second run: steady state must be 0. The measured run is kept
/// inside a no-GC region when the runtime grants one: a collection started by another thread (tests run in
/// parallel) retires this thread's allocation context and can shift the per-thread count by up to one
/// allocation quantum (8 KB) without this code allocating anything.
/// </summary>
public static class Allocations
{
    public static long Measure(Action warmUp, Action measured)
    {
        warmUp();
        return MeasureOnly(measured);
    }

    public static long Measure(Action action) => Measure(action, action);

    /// <summary>Measures <paramref name="measured"/> without a warm-up (the caller has warmed up).</summary>
    public static long MeasureOnly(Action measured)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        bool noGc = false;
        try { noGc = GC.TryStartNoGCRegion(64L << 20); }
        catch (InvalidOperationException) { }
        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            measured();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        finally
        {
            if (noGc && GCSettings.LatencyMode == GCLatencyMode.NoGCRegion)
            {
                try { GC.EndNoGCRegion(); }
                catch (InvalidOperationException) { /* a collection ended the region: the measurement still stands */ }
            }
        }
    }
}
