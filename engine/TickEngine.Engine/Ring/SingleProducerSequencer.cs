using System.Diagnostics;

namespace TickEngine.Engine.Ring;

/// <summary>
/// Hands out sequences to one producer thread. <see cref="Next(int)"/> never overwrites a slot a consumer has not
/// processed: when the slowest consumer is a full ring behind, the producer waits (spinning, then yielding, then
/// sleeping) and the time spent waiting is counted in <see cref="WaitTicks"/>. <see cref="Publish(long)"/> makes
/// everything written to the slots up to a sequence visible (release write of the cursor).
/// Memory ordering: slot writes happen before the cursor's release write; consumers read the cursor with an
/// acquire read before reading slots, and publish their own sequence with a release write after.
/// </summary>
public sealed class SingleProducerSequencer
{
    private readonly int _size;
    private readonly IWaitStrategy _wait;
    private Sequence[] _gating = [];
    private long _next = Sequence.InitialValue;   // last claimed
    private long _cachedGate = Sequence.InitialValue;
    private long _waitTicks;
    private long _waits;

    public SingleProducerSequencer(int size, IWaitStrategy wait)
    {
        _size = size;
        _wait = wait;
    }

    /// <summary>The last published sequence.</summary>
    public Sequence Cursor { get; } = new();

    public IWaitStrategy WaitStrategy => _wait;
    public int BufferSize => _size;

    /// <summary>Stopwatch ticks the producer spent waiting for consumers (ring full).</summary>
    public long WaitTicks => Volatile.Read(ref _waitTicks);

    /// <summary>How many claims had to wait.</summary>
    public long Waits => Volatile.Read(ref _waits);

    /// <summary>The consumers the producer must not overtake by more than the ring.</summary>
    public void SetGatingSequences(Sequence[] gating) => _gating = gating;

    /// <summary>Claims the next sequence.</summary>
    public long Next() => Next(1);

    /// <summary>Claims <paramref name="n"/> sequences and returns the highest.</summary>
    public long Next(int n)
    {
        if (n < 1 || n > _size) throw new ArgumentOutOfRangeException(nameof(n), $"claim 1..{_size} slots");
        long next = _next + n;
        long wrapPoint = next - _size;
        if (wrapPoint > _cachedGate)
        {
            long gate = MinGating(_next);
            if (wrapPoint > gate)
            {
                long start = Stopwatch.GetTimestamp();
                var spin = new SpinWait();
                while (wrapPoint > (gate = MinGating(_next)))
                {
                    if (_wait.IsBlocking) _wait.SignalAllWhenBlocking();
                    spin.SpinOnce(sleep1Threshold: 30);
                }
                _waitTicks += Stopwatch.GetTimestamp() - start;
                _waits++;
            }
            _cachedGate = gate;
        }
        _next = next;
        return next;
    }

    /// <summary>Slots that may be claimed without waiting.</summary>
    public long RemainingCapacity => _size - (_next - MinGating(_next));

    /// <summary>Publishes every claimed sequence up to <paramref name="sequence"/>.</summary>
    public void Publish(long sequence)
    {
        Cursor.SetValue(sequence);
        if (_wait.IsBlocking) _wait.SignalAllWhenBlocking();
    }

    /// <summary>The last claimed sequence.</summary>
    public long LastClaimed => _next;

    private long MinGating(long fallback)
    {
        long min = fallback;
        foreach (var s in _gating)
        {
            long v = s.VolatileValue;
            if (v < min) min = v;
        }
        return min;
    }
}
