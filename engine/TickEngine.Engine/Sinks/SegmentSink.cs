using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// The segment writer as a sink, and the recording's source of truth: one <see cref="PartitionedWriter"/> per
/// instrument (created on the instrument's first row), one segment per day. <see cref="Flush"/> commits every
/// pending row. Used from one handler thread; <see cref="CommittedRows"/> and <see cref="Bytes"/> may be read from
/// any thread.
/// </summary>
public sealed class SegmentSink(string root, SegmentWriterOptions? options = null) : IDisposable
{
    private readonly SegmentWriterOptions _options = options ?? new SegmentWriterOptions();
    private PartitionedWriter?[] _writers = new PartitionedWriter?[16];
    private long _closedRows;
    private long _closedBytes;

    private ISegmentCommitObserver?[] _observers = new ISegmentCommitObserver?[16];

    public string Root { get; } = root;

    /// <summary>The writer options (block rows among them).</summary>
    public SegmentWriterOptions Options => _options;

    /// <summary>Appends one row of an instrument to its segment of the row's day.</summary>
    public void Write(Instrument instrument, SegmentSchema schema, ReadOnlySpan<long> row)
    {
        ref var slot = ref InstrumentSlots.At(ref _writers, instrument.Id);
        slot ??= new PartitionedWriter(Root, instrument.Exchange, instrument.Symbol, schema, _options) { CommitObserver = ObserverOf(instrument.Id) };
        slot.Append(schema, row);
    }

    private ISegmentCommitObserver? ObserverOf(int instrumentId) => instrumentId < _observers.Length ? _observers[instrumentId] : null;

    /// <summary>Tells <paramref name="observer"/> of every commit of an instrument's segments (set before its first row).</summary>
    public void Observe(int instrumentId, ISegmentCommitObserver observer)
    {
        InstrumentSlots.At(ref _observers, instrumentId) = observer;
        if (instrumentId < _writers.Length && _writers[instrumentId] is { } w) w.CommitObserver = observer;
    }

    /// <summary>Commits every pending row of every instrument.</summary>
    public void Flush()
    {
        foreach (var w in _writers) w?.Flush();
    }

    /// <summary>Rows of an instrument appended and not yet committed.</summary>
    public int PendingRows(int instrumentId) => instrumentId < _writers.Length ? _writers[instrumentId]?.PendingRows ?? 0 : 0;

    /// <summary>Rows committed so far over all instruments.</summary>
    public long CommittedRows
    {
        get
        {
            long n = Volatile.Read(ref _closedRows);
            foreach (var w in _writers) if (w is not null) n += w.CommittedRows;
            return n;
        }
    }

    /// <summary>Committed bytes on disk over all instruments.</summary>
    public long Bytes
    {
        get
        {
            long n = Volatile.Read(ref _closedBytes);
            foreach (var w in _writers) if (w is not null) n += w.CommittedBytes;
            return n;
        }
    }

    /// <summary>Seals every segment; one that fails (a full disk) does not keep the others from being sealed.</summary>
    public void Dispose()
    {
        Exception? first = null;
        for (int i = 0; i < _writers.Length; i++)
        {
            var w = _writers[i];
            if (w is null) continue;
            try { w.Dispose(); }
            catch (Exception e) { first ??= e; }
            Volatile.Write(ref _closedRows, _closedRows + w.CommittedRows);
            Volatile.Write(ref _closedBytes, _closedBytes + w.CommittedBytes);
            _writers[i] = null;
        }
        if (first is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
    }
}
