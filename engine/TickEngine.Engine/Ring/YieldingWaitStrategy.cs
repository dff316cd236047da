namespace TickEngine.Engine.Ring;

/// <summary>Spins briefly, then yields the core between checks. Low latency; burns a core while idle.</summary>
public sealed class YieldingWaitStrategy : IWaitStrategy
{
    public bool IsBlocking => false;

    public long WaitFor(long sequence, Sequence cursor, Sequence[] dependents, SequenceBarrier barrier, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        int counter = 100;
        long available;
        while ((available = SequenceBarrier.Available(cursor, dependents)) < sequence && !barrier.IsAlerted)
        {
            if (counter > 0) counter--;
            else
            {
                Thread.Yield();
                if (Environment.TickCount64 >= deadline) break;
            }
        }
        return available;
    }

    public void SignalAllWhenBlocking() { }
}
