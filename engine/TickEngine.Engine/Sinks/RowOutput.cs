using System.Diagnostics;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// One handler's output: the row it fills (<see cref="Row"/>), and the sinks each row goes to when it calls
/// <see cref="Append"/>: the segment sink first, then the secondary sinks, each isolated (a throwing sink is
/// counted, skipped until the next batch, and never stops the others). Also the commit policy: pending rows are
/// committed at every boundary of a fixed grid of receive time (<see cref="CommitInterval"/>) so a killed recorder
/// loses at most that much, and, for live feeds, by wall clock when the ring is idle. Used from one handler thread.
/// </summary>
public sealed class RowOutput : IDisposable
{
    private readonly InstrumentRegistry _registry;
    private readonly int _depth;
    private readonly SegmentSink _primary;
    private readonly IRowSink[] _secondary;
    private readonly bool[] _failedThisBatch;
    private bool _dirty;
    private SegmentSchema?[] _schemas = new SegmentSchema?[16];
    private long _lastFlush = Stopwatch.GetTimestamp();
    private long _nextCommitAt = long.MinValue;
    private readonly long _intervalNs;

    public RowOutput(SchemaKind kind, InstrumentRegistry registry, SegmentSink primary, IReadOnlyList<(string Name, IRowSink Sink)>? secondary = null,
        int depth = 0, TimeSpan? commitInterval = null)
    {
        Kind = kind;
        _registry = registry;
        _primary = primary;
        _depth = depth == 0 ? SegmentSchema.DefaultDepth : depth;
        secondary ??= [];
        _secondary = secondary.Select(s => s.Sink).ToArray();
        _failedThisBatch = new bool[_secondary.Length];
        Sinks = secondary.Select(s => new SinkStatistics(s.Name, kind)).ToArray();
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

    /// <summary>Each secondary sink's counts.</summary>
    public IReadOnlyList<SinkStatistics> Sinks { get; }

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

    /// <summary>Appends <see cref="Row"/> for an instrument to every sink.</summary>
    /// <param name="decimalScale">The scale of the row's decimal columns (a funding rate's), -1 for the schema's default:
    /// a row at another scale than the instrument's rows before it continues in a new segment part.</param>
    public void Append(int instrumentId, int decimalScale = -1)
    {
        var inst = _registry[instrumentId];
        ref var slot = ref InstrumentSlots.At(ref _schemas, instrumentId);
        if (slot is { } current && decimalScale >= 0 && current.DecimalScale != decimalScale) slot = null;
        var schema = slot ??= CreateSchema(inst, decimalScale);
        var row = Row.AsSpan(0, schema.ColumnCount);
        _primary.Write(inst, schema, row);
        Rows++;
        for (int i = 0; i < _secondary.Length; i++)
        {
            var stats = Sinks[i];
            if (_failedThisBatch[i]) { stats._dropped++; continue; }
            try
            {
                _secondary[i].Write(inst, schema, row);
                stats._rows++;
            }
            catch (Exception e)
            {
                stats.Failed(e);
                stats._dropped++;
                _failedThisBatch[i] = true;
            }
        }
        _dirty = true;
    }

    private SegmentSchema CreateSchema(Instrument inst, int decimalScale)
    {
        var (p, q) = ScalesOf(inst.Id);
        return SegmentSchema.Create(Kind, _depth, p, q, Kind == SchemaKind.Trades && inst.TextTradeIds, decimalScale);
    }

    /// <summary>The end of a ring batch: the secondary sinks' batch ends too (they flush; a failed one is tried again).</summary>
    public void EndOfBatch()
    {
        if (!_dirty) return;
        _dirty = false;
        FlushSecondary();
    }

    private void FlushSecondary()
    {
        for (int i = 0; i < _secondary.Length; i++)
        {
            bool failed = _failedThisBatch[i];
            _failedThisBatch[i] = false;
            if (failed) continue; // its batch already failed: the next one starts clean
            try { _secondary[i].Flush(); }
            catch (Exception e) { Sinks[i].Failed(e); }
        }
    }

    /// <summary>The ring is idle: with <see cref="WallClockFlush"/>, commit what has waited a commit interval.</summary>
    public void OnIdle()
    {
        EndOfBatch();
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
    /// Ends the run: the secondary sinks' last batch and their disposal (failures counted), then the segments are
    /// sealed (a failure there is the run's and is thrown).
    /// </summary>
    public void Dispose()
    {
        EndOfBatch();
        for (int i = 0; i < _secondary.Length; i++)
        {
            try { _secondary[i].Dispose(); }
            catch (Exception e) { Sinks[i].Failed(e); }
        }
        _primary.Dispose();
    }
}
