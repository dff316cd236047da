namespace TickEngine.Engine.Ring;

/// <summary>
/// Spins without yielding: the lowest latency, but only with a core per consumer to spare. On a 2-core
/// machine spinning consumers starve the producer; use <see cref="BlockingWaitStrategy"/> there.
/// </summary>
public sealed class BusySpinWaitStrategy : IWaitStrategy
{
    public bool IsBlocking => false;

    public long WaitFor(long sequence, Sequence cursor, Sequence[] dependents, SequenceBarrier barrier, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        long available;
        int n = 0;
        while ((available = SequenceBarrier.Available(cursor, dependents)) < sequence && !barrier.IsAlerted)
        {
            Thread.SpinWait(1);
            if ((++n & 0xFFFF) == 0 && Environment.TickCount64 >= deadline) break;
        }
        return available;
    }

    public void SignalAllWhenBlocking() { }
}
