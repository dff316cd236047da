using System.Diagnostics;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;
using TickEngine.Engine.Metrics;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Replay;

/// <summary>
/// Publishes a <see cref="ReplayReader"/>'s rows onto the ring as the events live capture publishes (trades, level
/// changes, status markers), so every handler runs unchanged. Paced by the rows' own times at
/// <see cref="Speed"/> times real time (0 = as fast as possible, never sleeping); the lateness of each event
/// against its due time is kept in <see cref="PacingError"/>. The producer thread only.
/// </summary>
public sealed class ReplayPublisher
{
    private readonly ReplayReader _reader;
    private readonly InstrumentRegistry _registry;
    private readonly EventPublisher _publisher;

    public ReplayPublisher(ReplayReader reader, InstrumentRegistry registry, EventPublisher publisher, double speed)
    {
        _reader = reader;
        _registry = registry;
        _publisher = publisher;
        Speed = speed;
    }

    public double Speed { get; }
    public long Events { get; private set; }
    public long FirstTimestamp { get; private set; }
    public long LastTimestamp { get; private set; }

    /// <summary>How late each event went out against its due time, in ns (empty at speed 0).</summary>
    public HdrHistogram PacingError { get; } = new(1, 3_600_000_000_000, 3);

    /// <summary>Publishes until the rows end, <paramref name="cancel"/>, or <paramref name="maxEvents"/> events.</summary>
    public void Run(CancellationToken cancel = default, long maxEvents = long.MaxValue)
    {
        long stopAt = Events + maxEvents;
        long startNs = 0;
        bool first = true;
        while (Events < stopAt && !cancel.IsCancellationRequested && _reader.MoveNext())
        {
            long ts = _reader.Timestamp;
            if (first)
            {
                first = false;
                FirstTimestamp = ts;
                startNs = Clock.NowNs();
            }
            LastTimestamp = ts;
            if (Speed > 0)
            {
                long due = startNs + (long)((ts - FirstTimestamp) / Speed);
                long now = Clock.NowNs();
                if (due > now)
                {
                    _publisher.Publish(); // nothing waits in the claim while we sleep
                    long wait = due - now;
                    if (wait > 2_000_000) Thread.Sleep(TimeSpan.FromTicks((wait - 1_000_000) / 100));
                    var spin = new SpinWait();
                    while (Clock.NowNs() < due) spin.SpinOnce(-1);
                    now = Clock.NowNs();
                }
                PacingError.RecordValue(Math.Max(0, now - due));
            }
            Publish();
            Events++;
            if (Speed > 0 || (Events & 255) == 0) _publisher.Publish();
        }
        _publisher.Publish();
    }

    private void Publish()
    {
        var c = _reader.Current;
        var schema = c.Reader.Schema;
        if (_reader.CurrentTag is not Instrument inst)
            _reader.CurrentTag = inst = _registry.GetOrAdd(_reader.Exchange, _reader.Symbol, schema.PriceScale, schema.QuantityScale);
        ref var e = ref _publisher.Claim();
        RowEvents.Fill(c, _reader.Kind, inst.Id, ref e);
    }
}
