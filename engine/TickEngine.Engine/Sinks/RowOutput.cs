using System.Diagnostics;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// One handler's output: the row it fills (<see cref="Row"/>) and where each row goes when it calls
/// <see cref="Append"/>: the segments (the truth), and then, once the segments commit it, every sink runner whose sink
/// takes the schema (<see cref="SinkFeed"/>: rows wait per instrument until their commit, then go as one batch with
/// their position). Also the commit policy: pending rows are committed at every boundary of a fixed grid of receive
/// time (<see cref="CommitInterval"/>) so a killed recorder loses at most that much, and, for live feeds, by wall
/// clock when the ring is idle. Used from one handler thread.
/// </summary>
public sealed class RowOutput : IDisposable
{
    private readonly InstrumentRegistry _registry;
    private readonly int _depth;
    private readonly SegmentSink _primary;
    private readonly SinkRunner[] _runners;
    private readonly RowBatchPool? _pool;
    private SinkFeed?[] _feeds = new SinkFeed?[16];
    private SegmentSchema?[] _schemas = new SegmentSchema?[16];
    private long _lastFlush = Stopwatch.GetTimestamp();
    private long _nextCommitAt = long.MinValue;
    private readonly long _intervalNs;

    /// <param name="runners">Sink runners; those whose sink takes <paramref name="kind"/> are given its committed rows.</param>
    public RowOutput(SchemaKind kind, InstrumentRegistry registry, SegmentSink primary, IReadOnlyList<SinkRunner>? runners = null,
        int depth = 0, TimeSpan? commitInterval = null)
    {
        Kind = kind;
        _registry = registry;
        _primary = primary;
        _depth = depth == 0 ? SegmentSchema.DefaultDepth : depth;
        _runners = (runners ?? []).Where(r => r.Sink.Accepts(kind)).ToArray();
        if (_runners.Length > 0) _pool = new RowBatchPool();
        Row = new long[kind == SchemaKind.Trades ? TradeColumns.CountWithTextIds : SegmentSchema.Create(kind, _depth).ColumnCount];
        CommitInterval = commitInterval;
        _intervalNs = commitInterval is { } ci && ci > TimeSpan.Zero && ci != Timeout.InfiniteTimeSpan ? Math.Max(1, (long)(ci.TotalMilliseconds * 1_000_000)) : 0;
    }

    public SchemaKind Kind { get; }

    /// <summary>The instruments whose rows this output writes.</summary>
    public InstrumentRegistry Registry => _registry;

    /// <summary>The row to fill before <see cref="Append"/>.</summary>
    public long[] Row { get; }

    /// <summary>The segment sink (the source of truth).</summary>
    public SegmentSink Segments => _primary;

    /// <summary>The runners this output gives committed rows to.</summary>
    public IReadOnlyList<SinkRunner> Runners => _runners;

    /// <summary>
    /// Commit pending rows at every boundary of this grid of receive time (a block then holds exactly the rows
    /// received between two boundaries, or a full block, whichever events cross a boundary: replaying the stored
    /// rows cuts the same blocks). Null: commit full blocks only (capture files, where a crash just means running again).
    /// </summary>
    public TimeSpan? CommitInterval { get; }

    /// <summary>Also commit by wall clock when the ring is idle (live feeds).</summary>
    public bool WallClockFlush { get; init; } = true;

    /// <summary>Timing hooks (latency measurement); null in normal runs.</summary>
    public Metrics.ILatencyProbe? Probe { get; init; }

    /// <summary>Rows appended (committed or pending).</summary>
    public long Rows { get; private set; }

    public long CommittedRows => _primary.CommittedRows;
    public long Bytes => _primary.Bytes;

    /// <summary>
    /// Sees every event before the handler acts on it: commits pending rows at each boundary of the receive-time grid,
    /// and follows an instrument's <see cref="StatusKind.ScaleChange"/> markers (its rows after one are at the new
    /// scales, in a new segment part).
    /// </summary>
    public void Observe(in Events.MarketEvent e)
    {
        if (e.Kind == Events.EventKind.Status && e.Side == (byte)StatusKind.ScaleChange) ChangeScales(e.InstrumentId, (int)e.Id, (int)e.Id2);
        long receiveNs = e.ReceiveTime;
        if (receiveNs < _nextCommitAt || _intervalNs == 0) return;
        if (_nextCommitAt != long.MinValue) Flush();
        _nextCommitAt = (receiveNs / _intervalNs + 1) * _intervalNs;
    }

    private int[] _priceScales = new int[16], _quantityScales = new int[16];

    /// <summary>The scales this output writes an instrument's rows at (the handler's view: its initial scales and the markers since).</summary>
    public (int Price, int Quantity) ScalesOf(int instrumentId)
    {
        ref int p = ref InstrumentSlots.At(ref _priceScales, instrumentId);
        ref int q = ref InstrumentSlots.At(ref _quantityScales, instrumentId);
        if (p == 0 && q == 0)
        {
            var inst = _registry[instrumentId];
            // Stored one above the scale so that 0 means "not yet known".
            p = inst.InitialPriceScale + 1;
            q = inst.InitialQuantityScale + 1;
        }
        return (p - 1, q - 1);
    }

    private void ChangeScales(int instrumentId, int priceScale, int quantityScale)
    {
        if (priceScale is < 0 or > 18 || quantityScale is < 0 or > 18) return; // not a marker this version wrote
        ScalesOf(instrumentId);
        InstrumentSlots.At(ref _priceScales, instrumentId) = priceScale + 1;
        InstrumentSlots.At(ref _quantityScales, instrumentId) = quantityScale + 1;
        InstrumentSlots.At(ref _schemas, instrumentId) = null;
    }

    /// <summary>Appends <see cref="Row"/> for an instrument to its segment (and, once committed, to the sinks).</summary>
    /// <param name="decimalScale">The scale of the row's decimal columns (a funding rate's), -1 for the schema's default:
    /// a row at another scale than the instrument's rows before it continues in a new segment part.</param>
    public void Append(int instrumentId, int decimalScale = -1)
    {
        var inst = _registry[instrumentId];
        ref var slot = ref InstrumentSlots.At(ref _schemas, instrumentId);
        if (slot is { } current && decimalScale >= 0 && current.DecimalScale != decimalScale) slot = null;
        var schema = slot ??= CreateSchema(inst, decimalScale);
        var row = Row.AsSpan(0, schema.ColumnCount);
        if (_pool is null)
        {
            _primary.Write(inst, schema, row);
        }
        else
        {
            var feed = FeedOf(inst);
            feed.Add(schema, row);
            try { _primary.Write(inst, schema, row); }
            catch
            {
                feed.RemoveLast();
                throw;
            }
        }
        Rows++;
    }

    private SinkFeed FeedOf(Instrument inst)
    {
        ref var feed = ref InstrumentSlots.At(ref _feeds, inst.Id);
        if (feed is null)
        {
            feed = new SinkFeed(new StreamKey(inst.Exchange, inst.Symbol, Kind), _runners, _pool!, _primary.Options.BlockRows);
            _primary.Observe(inst.Id, feed);
        }
        return feed;
    }

    private SegmentSchema CreateSchema(Instrument inst, int decimalScale)
    {
        var (p, q) = ScalesOf(inst.Id);
        return SegmentSchema.Create(Kind, _depth, p, q, Kind == SchemaKind.Trades && inst.TextTradeIds, decimalScale);
    }

    /// <summary>The ring is idle: with <see cref="WallClockFlush"/>, commit what has waited a commit interval.</summary>
    public void OnIdle()
    {
        if (!WallClockFlush || _intervalNs == 0) return;
        long now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_lastFlush, now) < CommitInterval!.Value) return;
        _lastFlush = now;
        Flush();
    }

    /// <summary>Commits every pending row.</summary>
    public void Flush()
    {
        _primary.Flush();
        if (Probe is { } probe) ReportCommits(probe);
    }

    private long _probeCommitted;

    /// <summary>
    /// With a <see cref="Probe"/>: reports event <paramref name="sequence"/> as a row and, when appending it filled
    /// and committed its instrument's block, the rows committed.
    /// </summary>
    public void ReportHandled(long sequence, in Events.MarketEvent e)
    {
        if (Probe is not { } probe) return;
        probe.Handled(Kind, sequence, e, Live.Clock.NowNs());
        if (_primary.PendingRows(e.InstrumentId) == 0) ReportCommits(probe);
    }

    private void ReportCommits(Metrics.ILatencyProbe probe)
    {
        long committed = _primary.CommittedRows;
        if (committed == _probeCommitted) return;
        _probeCommitted = committed;
        probe.Committed(Kind, committed, Live.Clock.NowNs());
    }

    /// <summary>
    /// Ends the run: the segments are sealed (their last rows committed, and so handed to the sink runners; a failure
    /// there is the run's and is thrown). The runners finish after every output has ended (<see cref="SinkRunner.Complete"/>).
    /// </summary>
    public void Dispose()
    {
        try { _primary.Dispose(); }
        finally
        {
            foreach (var f in _feeds) f?.Discard();
        }
    }
}
