namespace TickEngine.Engine.Ring;

/// <summary>
/// What a consumer waits on: the producer's cursor and the sequences of the consumers it depends on. An alert
/// (on shutdown) wakes a waiting consumer.
/// </summary>
public sealed class SequenceBarrier
{
    private readonly IWaitStrategy _wait;
    private readonly Sequence _cursor;
    private readonly Sequence[] _dependents;
    private volatile bool _alerted;

    public SequenceBarrier(IWaitStrategy wait, Sequence cursor, Sequence[] dependents)
    {
        _wait = wait;
        _cursor = cursor;
        _dependents = dependents;
    }

    public bool IsAlerted => _alerted;

    /// <summary>The highest sequence available (&gt;= <paramref name="sequence"/>), or lower on timeout or alert.</summary>
    public long WaitFor(long sequence, TimeSpan timeout) => _wait.WaitFor(sequence, _cursor, _dependents, this, timeout);

    public void Alert()
    {
        _alerted = true;
        _wait.SignalAllWhenBlocking();
    }

    /// <summary>Smallest of the cursor and the dependents.</summary>
    internal static long Available(Sequence cursor, Sequence[] dependents)
    {
        long min = cursor.VolatileValue;
        foreach (var d in dependents)
        {
            long v = d.VolatileValue;
            if (v < min) min = v;
        }
        return min;
    }
}
