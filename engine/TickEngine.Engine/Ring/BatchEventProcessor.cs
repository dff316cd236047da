namespace TickEngine.Engine.Ring;

/// <summary>
/// Runs one handler on its own thread: waits on its barrier, hands every available event to the handler in
/// order (with <c>endOfBatch</c> on the last), then publishes its own sequence. Generic over the handler type so a
/// struct handler gets a specialised loop.
/// </summary>
public sealed class BatchEventProcessor<T, THandler> : IEventProcessor
    where T : unmanaged
    where THandler : IValueEventHandler<T>
{
    private readonly RingBuffer<T> _ring;
    private readonly SequenceBarrier _barrier;
    private THandler _handler;
    private readonly TimeSpan _timeout;
    private volatile bool _running;

    public BatchEventProcessor(RingBuffer<T> ring, SequenceBarrier barrier, THandler handler, TimeSpan timeout)
    {
        _ring = ring;
        _barrier = barrier;
        _handler = handler;
        _timeout = timeout;
    }

    public Sequence Sequence { get; } = new();
    public SequenceBarrier Barrier => _barrier;
    public string Name => _handler.GetType().Name;
    public Exception? Fault { get; private set; }
    private long _allocated;
    private Metrics.ThreadAllocationMeter _meter;
    public long AllocatedBytes => Volatile.Read(ref _allocated);

    /// <summary>Adds what this thread allocated since the last batch (a span a collection interrupted is not measurable).</summary>
    private void CountAllocations()
    {
        if (_meter.TryTake(out long bytes)) Volatile.Write(ref _allocated, _allocated + bytes);
        _meter.Mark();
    }

    /// <summary>The processor's loop; returns after <see cref="Halt"/> once it has processed everything published before.</summary>
    public void Run()
    {
        _running = true;
        try
        {
            _handler.OnStart();
            _meter.Mark();
            long next = Sequence.Value + 1;
            while (true)
            {
                long available = _barrier.WaitFor(next, _timeout);
                if (available >= next)
                {
                    for (long s = next; s <= available; s++)
                        _handler.OnEvent(ref _ring[s], s, s == available);
                    Sequence.SetValue(available);
                    next = available + 1;
                    CountAllocations();
                }
                else if (_barrier.IsAlerted)
                {
                    if (!_running) break;
                }
                else
                {
                    _handler.OnTimeout(next - 1);
                    CountAllocations();
                }
            }
        }
        catch (Exception e)
        {
            Fault = e;
            // Let the producer go on: a failed handler must not block the pipeline forever.
            Sequence.SetValue(long.MaxValue);
        }
        finally
        {
            try { _handler.OnShutdown(); }
            catch (Exception e) { Fault ??= e; }
        }
    }

    public void Halt()
    {
        _running = false;
        _barrier.Alert();
    }
}
