namespace TickEngine.Engine.Ring;

/// <summary>
/// Consumers sleep on a monitor until the producer publishes: no CPU burnt while idle, safe on 2 cores. The
/// producer only takes the lock when a consumer is actually waiting (a waiter count checked after a full fence),
/// so a busy pipeline pays no lock per publish. The default.
/// </summary>
public sealed class BlockingWaitStrategy : IWaitStrategy
{
    private readonly object _gate = new();
    private int _waiters;

    public bool IsBlocking => true;

    public long WaitFor(long sequence, Sequence cursor, Sequence[] dependents, SequenceBarrier barrier, TimeSpan timeout)
    {
        long available = SequenceBarrier.Available(cursor, dependents);
        if (available >= sequence) return available;
        // A short spin first: a hand-off that is about to happen costs no sleep.
        var spin = new SpinWait();
        for (int i = 0; i < 20; i++)
        {
            spin.SpinOnce(-1);
            available = SequenceBarrier.Available(cursor, dependents);
            if (available >= sequence || barrier.IsAlerted) return available;
        }
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_gate)
        {
            _waiters++;
            try
            {
                while ((available = SequenceBarrier.Available(cursor, dependents)) < sequence && !barrier.IsAlerted)
                {
                    long left = deadline - Environment.TickCount64;
                    if (left <= 0) break;
                    Monitor.Wait(_gate, (int)Math.Min(left, 50));
                }
            }
            finally
            {
                _waiters--;
            }
        }
        return available;
    }

    public void SignalAllWhenBlocking()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _waiters) == 0) return;
        lock (_gate) Monitor.PulseAll(_gate);
    }
}
