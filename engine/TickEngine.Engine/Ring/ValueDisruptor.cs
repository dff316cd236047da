namespace TickEngine.Engine.Ring;

/// <summary>
/// Wires a ring, a single-producer sequencer and independent handlers (each on its own thread, each seeing
/// every event). The producer thread claims slots with <see cref="Sequencer"/>, writes them through
/// <see cref="Ring"/> and publishes. <see cref="Shutdown"/> waits until every handler has processed every
/// published event, then stops them (their <c>OnShutdown</c> flushes).
/// </summary>
public sealed class ValueDisruptor<T> where T : unmanaged
{
    private readonly List<IEventProcessor> _processors = new();
    private readonly List<Thread> _threads = new();
    private bool _started;

    public ValueDisruptor(int ringSize, IWaitStrategy? wait = null, TimeSpan? handlerTimeout = null)
    {
        Ring = new RingBuffer<T>(ringSize);
        Sequencer = new SingleProducerSequencer(ringSize, wait ?? new BlockingWaitStrategy());
        HandlerTimeout = handlerTimeout ?? TimeSpan.FromMilliseconds(100);
    }

    public RingBuffer<T> Ring { get; }
    public SingleProducerSequencer Sequencer { get; }
    public TimeSpan HandlerTimeout { get; }
    public IReadOnlyList<IEventProcessor> Processors => _processors;

    /// <summary>Adds a handler that sees every event on its own thread.</summary>
    public ValueDisruptor<T> HandleEventsWith<THandler>(THandler handler) where THandler : IValueEventHandler<T>
    {
        if (_started) throw new InvalidOperationException("handlers are added before Start");
        var barrier = new SequenceBarrier(Sequencer.WaitStrategy, Sequencer.Cursor, []);
        _processors.Add(new BatchEventProcessor<T, THandler>(Ring, barrier, handler, HandlerTimeout));
        return this;
    }

    public void Start()
    {
        _started = true;
        Sequencer.SetGatingSequences(_processors.Select(p => p.Sequence).ToArray());
        foreach (var p in _processors)
        {
            var t = new Thread(p.Run) { IsBackground = true, Name = "tickengine-" + p.Name };
            _threads.Add(t);
            t.Start();
        }
    }

    /// <summary>Events published but not yet processed by the slowest handler.</summary>
    public long Backlog
    {
        get
        {
            long cursor = Sequencer.Cursor.VolatileValue, min = cursor;
            foreach (var p in _processors) min = Math.Min(min, p.Sequence.VolatileValue);
            return cursor - min;
        }
    }

    /// <summary>Drains every published event through every handler, then stops the handler threads.</summary>
    public void Shutdown()
    {
        long cursor = Sequencer.Cursor.VolatileValue;
        var spin = new SpinWait();
        while (_processors.Any(p => p.Sequence.VolatileValue < cursor && p.Fault is null))
        {
            Sequencer.WaitStrategy.SignalAllWhenBlocking();
            spin.SpinOnce(sleep1Threshold: 10);
        }
        foreach (var p in _processors) p.Halt();
        foreach (var t in _threads) t.Join();
    }

    /// <summary>Faults of handlers that stopped on an exception.</summary>
    public IEnumerable<(string Handler, Exception Fault)> Faults =>
        _processors.Where(p => p.Fault is not null).Select(p => p.Fault is HandlerException h ? (h.Handler, h.InnerException!) : (p.Name, p.Fault!));
}
