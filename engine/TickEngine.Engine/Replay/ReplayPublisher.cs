using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Metrics;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Replay;

/// <summary>
/// Publishes a <see cref="ReplayReader"/>'s rows onto the ring as the events live capture publishes (trades, level
/// changes, status markers; L2 samples and bars as row parts), so every handler runs unchanged. Paced by the rows'
/// own times (<see cref="Pacer"/>). A damaged segment the reader reports becomes a <see cref="StatusKind.Damaged"/>
/// marker for its instrument (a book rebuilt from deltas is out of sync from there to the next snapshot) and is
/// counted in <see cref="Damaged"/>. The producer thread only; allocation-free per row.
/// </summary>
public sealed class ReplayPublisher
{
    private readonly ReplayReader _reader;
    private readonly InstrumentRegistry _registry;
    private readonly EventPublisher _publisher;
    private readonly Pacer _pacer;
    private readonly Action _publish;

    public ReplayPublisher(ReplayReader reader, InstrumentRegistry registry, EventPublisher publisher, double speed)
    {
        _reader = reader;
        _registry = registry;
        _publisher = publisher;
        _pacer = new Pacer(speed);
        _publish = publisher.Publish;
    }

    public double Speed => _pacer.Speed;

    /// <summary>Rows published (damage markers not counted).</summary>
    public long Events { get; private set; }

    /// <summary>Damaged segments met (each published as a marker).</summary>
    public long Damaged { get; private set; }

    public long FirstTimestamp { get; private set; }
    public long LastTimestamp { get; private set; }

    /// <summary>How late each event went out against its due time, in ns (empty at speed 0).</summary>
    public HdrHistogram PacingError => _pacer.Lateness;

    /// <summary>Publishes until the rows end, <paramref name="cancel"/>, or <paramref name="maxEvents"/> rows.</summary>
    public void Run(CancellationToken cancel = default, long maxEvents = long.MaxValue)
    {
        long stopAt = Events + maxEvents;
        while (Events < stopAt && !cancel.IsCancellationRequested && _reader.MoveNext())
        {
            long ts = _reader.Timestamp;
            if (Events == 0 && Damaged == 0) FirstTimestamp = ts;
            if (!_pacer.Wait(ts, _publish, cancel)) break; // nothing waits in a claim while we sleep
            if (_reader.IsDamage)
            {
                PublishDamage(ts);
                continue;
            }
            LastTimestamp = ts;
            PublishRow();
            Events++;
            if (Speed > 0 || (Events & 255) == 0) _publisher.Publish();
        }
        _publisher.Publish();
    }

    /// <summary>What a segment's rows are published as: the instrument, and how far each of its scales is raised.</summary>
    private sealed record Target(Instrument Instrument, int PriceShift, int QuantityShift);

    private Target Resolve(SegmentSchema? schema)
    {
        if (_reader.CurrentTag is Target known) return known;
        // Every row of an instrument goes out at the largest scales among its segments (a recording continues at
        // other scales when a value needed them), so handlers see one scale per instrument for the whole replay.
        var scales = _reader.ScalesOf(_reader.Exchange, _reader.Symbol);
        var inst = _registry.GetOrAdd(_reader.Exchange, _reader.Symbol, scales?.Price ?? schema?.PriceScale, scales?.Quantity ?? schema?.QuantityScale);
        int dp = schema is null || schema.Kind == SchemaKind.Status ? 0 : inst.PriceScale - schema.PriceScale;
        int dq = schema is null || schema.Kind == SchemaKind.Status ? 0 : inst.QuantityScale - schema.QuantityScale;
        if (dp < 0 || dq < 0)
            throw new StorageFormatException(_reader.Current.Reader.Path, 0,
                $"{inst.Exchange}/{inst.Symbol} {schema!.Name} is stored at scales {schema.PriceScale}/{schema.QuantityScale} and replayed at {inst.PriceScale}/{inst.QuantityScale}");
        var target = new Target(inst, dp, dq);
        _reader.CurrentTag = target;
        return target;
    }

    private void PublishRow()
    {
        var c = _reader.Current;
        var kind = _reader.Kind;
        // Scale changes are the recorder's: a replay publishes every row of an instrument at one scale.
        if (kind == SchemaKind.Status && c[StatusColumns.Kind] == (long)StatusKind.ScaleChange) return;
        var t = Resolve(c.Reader.Schema);
        if (!RowEvents.Publish(_publisher, c, kind, t.Instrument.Id, t.PriceShift, t.QuantityShift))
            throw new StorageFormatException(c.Reader.Path, 0,
                $"{t.Instrument.Exchange}/{t.Instrument.Symbol}: a value of this segment does not fit 64 bits at the scales {t.Instrument.PriceScale}/{t.Instrument.QuantityScale} other segments of it need: they cannot be replayed together exactly");
    }

    private void PublishDamage(long ts)
    {
        Damaged++;
        var inst = (_reader.CurrentTag as Target)?.Instrument ?? _registry.GetOrAdd(_reader.Exchange, _reader.Symbol);
        ref var e = ref _publisher.Claim();
        e.Kind = EventKind.Status;
        e.Side = (byte)StatusKind.Damaged;
        e.InstrumentId = inst.Id;
        e.ExchangeTime = ts;
        e.ReceiveTime = ts;
        _publisher.Publish();
    }
}
