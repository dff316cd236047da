using System.Diagnostics;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;

namespace TickEngine.Engine.Handlers;

/// <summary>
/// One schema's segments for every instrument: a <see cref="PartitionedWriter"/> per instrument (created on the
/// instrument's first row), a reused row buffer, and a commit at least every <see cref="FlushInterval"/> so that
/// at most that much is uncommitted. Used from one handler thread.
/// </summary>
public sealed class SegmentSink : IDisposable
{
    private readonly string _root;
    private readonly InstrumentRegistry _registry;
    private readonly SchemaKind _kind;
    private readonly int _depth;
    private readonly SegmentWriterOptions _options;
    private PartitionedWriter?[] _writers = new PartitionedWriter?[16];
    private long _lastFlush = Stopwatch.GetTimestamp();
    private long _closedRows;
    private long _closedBytes;

    public SegmentSink(string root, InstrumentRegistry registry, SchemaKind kind, int depth = 0, SegmentWriterOptions? options = null)
    {
        _root = root;
        _registry = registry;
        _kind = kind;
        _depth = depth;
        _options = options ?? new SegmentWriterOptions();
        Row = new long[SegmentSchema.Create(kind, depth == 0 ? SegmentSchema.DefaultDepth : depth).ColumnCount];
    }

    /// <summary>The row to fill before <see cref="Append"/>.</summary>
    public long[] Row { get; }

    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Timing hooks (latency measurement); null in normal runs.</summary>
    public Metrics.ILatencyProbe? Probe { get; init; }

    private long _probeCommitted;

    /// <summary>
    /// With a <see cref="Probe"/>: reports event <paramref name="sequence"/> as a row and, when appending it filled
    /// and committed its instrument's block, the rows committed.
    /// </summary>
    public void ReportHandled(long sequence, in Events.MarketEvent e)
    {
        if (Probe is not { } probe) return;
        probe.Handled(_kind, sequence, e, Live.Clock.NowNs());
        if (_writers[e.InstrumentId]?.PendingRows == 0) ReportCommits(probe);
    }

    private void ReportCommits(Metrics.ILatencyProbe probe)
    {
        long committed = CommittedRows;
        if (committed == _probeCommitted) return;
        _probeCommitted = committed;
        probe.Committed(_kind, committed, Live.Clock.NowNs());
    }

    /// <summary>
    /// Also commit by wall clock when the ring is idle (live feeds). Off for capture files, where blocks are cut by
    /// the events' receive times alone, so that the same frames always give the same bytes.
    /// </summary>
    public bool WallClockFlush { get; init; } = true;

    private long _nextFlushAt = long.MinValue;

    /// <summary>
    /// Sees every event's receive time: commits pending rows at each boundary of a fixed grid of receive time
    /// (every <see cref="FlushInterval"/>). A block then holds exactly the rows received between two boundaries (or
    /// a full block), whichever events crossed the boundary: replaying the stored rows alone cuts the same blocks.
    /// </summary>
    public void Observe(long receiveNs)
    {
        if (receiveNs < _nextFlushAt) return;
        if (_nextFlushAt != long.MinValue) Flush();
        long interval = Math.Max(1, (long)(FlushInterval.TotalMilliseconds * 1_000_000));
        _nextFlushAt = (receiveNs / interval + 1) * interval;
    }

    /// <summary>The ring is idle: with <see cref="WallClockFlush"/>, commit what has waited a flush interval.</summary>
    public void OnIdle()
    {
        if (WallClockFlush) MaybeFlush();
    }

    public SchemaKind Kind => _kind;

    /// <summary>Rows appended (committed or pending).</summary>
    public long Rows { get; private set; }

    /// <summary>Rows committed so far over all instruments.</summary>
    public long CommittedRows
    {
        get
        {
            long n = _closedRows;
            foreach (var w in _writers) if (w is not null) n += w.CommittedRows;
            return n;
        }
    }

    /// <summary>Committed bytes on disk over all instruments.</summary>
    public long Bytes
    {
        get
        {
            long n = _closedBytes;
            foreach (var w in _writers) if (w is not null) n += w.CommittedBytes;
            return n;
        }
    }

    /// <summary>Appends <see cref="Row"/> to the instrument's segment of the row's day.</summary>
    public void Append(int instrumentId)
    {
        var w = InstrumentSlots.At(ref _writers, instrumentId) ??= Create(instrumentId);
        w.Append(Row);
        Rows++;
    }

    /// <summary>Commits pending rows when the flush interval has passed.</summary>
    public void MaybeFlush()
    {
        long now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(_lastFlush, now) < FlushInterval) return;
        _lastFlush = now;
        Flush();
    }

    public void Flush()
    {
        foreach (var w in _writers) w?.Flush();
        if (Probe is { } probe) ReportCommits(probe);
    }

    private PartitionedWriter Create(int instrumentId)
    {
        var inst = _registry[instrumentId];
        var schema = SegmentSchema.Create(_kind, _depth == 0 ? SegmentSchema.DefaultDepth : _depth, inst.PriceScale, inst.QuantityScale);
        return new PartitionedWriter(_root, inst.Exchange, inst.Symbol, schema, _options);
    }

    /// <summary>Seals every segment; one that fails (a full disk) does not keep the others from being sealed.</summary>
    public void Dispose()
    {
        Exception? first = null;
        for (int i = 0; i < _writers.Length; i++)
        {
            var w = _writers[i];
            if (w is null) continue;
            _writers[i] = null;
            try { w.Dispose(); }
            catch (Exception e) { first ??= e; }
            _closedRows += w.CommittedRows;
            _closedBytes += w.CommittedBytes;
        }
        if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }
}
