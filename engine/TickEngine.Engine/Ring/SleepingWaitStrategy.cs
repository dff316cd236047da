namespace TickEngine.Engine.Ring;

/// <summary>Spins, then yields, then sleeps 1 ms between checks: gentle on the machine, higher latency.</summary>
public sealed class SleepingWaitStrategy : IWaitStrategy
{
    public bool IsBlocking => false;

    public long WaitFor(long sequence, Sequence cursor, Sequence[] dependents, SequenceBarrier barrier, TimeSpan timeout)
    {
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        int counter = 200;
        long available;
        while ((available = SequenceBarrier.Available(cursor, dependents)) < sequence && !barrier.IsAlerted)
        {
            if (counter > 100) counter--;
            else if (counter > 0) { counter--; Thread.Yield(); }
            else
            {
                Thread.Sleep(1);
                if (Environment.TickCount64 >= deadline) break;
            }
        }
        return available;
    }

    public void SignalAllWhenBlocking() { }
}
