using TickEngine.Engine.Sinks;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Tests.Sinks;

/// <summary>
/// What a database keeps, in process: committed rows per stream with each stream's end, surviving the sinks that
/// wrote them (one store across several runs, as a database outlives its recorder).
/// </summary>
public sealed class TableStore
{
    public readonly object Gate = new();
    public readonly Dictionary<StreamKey, List<(SinkPosition At, long[] Row)>> Rows = new();
    public readonly Dictionary<SegmentId, long> Ends = new();

    /// <summary>Batches that started before the end of what the segment held (rows given twice).</summary>
    public readonly List<string> Duplicates = new();

    /// <summary>Batches that started after the end of what the segment held (rows left out).</summary>
    public readonly List<string> Holes = new();

    public long Count { get { lock (Gate) return Rows.Values.Sum(r => r.Count); } }
}

/// <summary>
/// A durable sink over a <see cref="TableStore"/>, shaped as a database sink is: rows written go to an open
/// transaction, a flush commits it together with each stream's end, a failure rolls it back. Faults on demand: a
/// write or a flush that throws, a delay per batch.
/// </summary>
public sealed class TableSink(TableStore store, string target = "table:test") : ISink
{
    private readonly List<(StreamKey Stream, SinkPosition At, long[] Row)> _open = new();
    private readonly Dictionary<SegmentId, long> _openEnds = new();

    public Func<long, bool>? FailWrite { get; init; }
    public Func<long, bool>? FailFlush { get; init; }
    public TimeSpan DelayPerBatch { get; init; }
    public IReadOnlySet<SchemaKind>? Schemas { get; init; }

    public long Writes, Flushes, Opens, Recoveries, Disposals;

    public string Name => "table";
    public string Target => target;
    public bool Durable => true;
    public bool Accepts(SchemaKind schema) => Schemas is null || Schemas.Contains(schema);

    public ValueTask<IReadOnlyList<SinkDurable>> OpenAsync(CancellationToken cancel)
    {
        Opens++;
        return ValueTask.FromResult(Durables());
    }

    private IReadOnlyList<SinkDurable> Durables()
    {
        lock (store.Gate) return store.Ends.Select(kv => new SinkDurable(kv.Key.Stream, kv.Key.At(kv.Value))).ToList();
    }

    public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancel)
    {
        long n = ++Writes;
        if (DelayPerBatch > TimeSpan.Zero) await Task.Delay(DelayPerBatch, cancel);
        if (FailWrite?.Invoke(n) == true) throw new IOException($"the database went away (write {n})");
        var id = SegmentId.Of(batch.Stream, batch.Start);
        long? end = _openEnds.TryGetValue(id, out var oe) ? oe : null;
        lock (store.Gate) end ??= store.Ends.TryGetValue(id, out var e) ? e : null;
        if (end is { } had)
        {
            if (batch.Start.Row < had) lock (store.Gate) store.Duplicates.Add($"{id}: a batch at row {batch.Start.Row} after rows up to {had}");
            else if (batch.Start.Row > had) lock (store.Gate) store.Holes.Add($"{id}: a batch at row {batch.Start.Row} after rows up to {had}");
        }
        for (int r = 0; r < batch.Count; r++)
        {
            var row = new long[batch.Schema.ColumnCount];
            batch.CopyRow(r, row);
            _open.Add((batch.Stream, batch.Start.Plus(r), row));
        }
        _openEnds[id] = batch.End.Row;
    }

    public ValueTask<SinkFlushResult> FlushAsync(SinkFlushKind kind, CancellationToken cancel)
    {
        long n = ++Flushes;
        if (FailFlush?.Invoke(n) == true) throw new TimeoutException($"the database timed out (flush {n})");
        if (_open.Count == 0) return ValueTask.FromResult(SinkFlushResult.None);
        lock (store.Gate)
        {
            foreach (var (stream, at, row) in _open)
            {
                if (!store.Rows.TryGetValue(stream, out var list)) store.Rows[stream] = list = new();
                list.Add((at, row));
            }
            foreach (var (k, v) in _openEnds) store.Ends[k] = v;
        }
        var moved = _openEnds.Select(kv => new SinkDurable(kv.Key.Stream, kv.Key.At(kv.Value))).ToList();
        _open.Clear();
        _openEnds.Clear();
        return ValueTask.FromResult(new SinkFlushResult(moved));
    }

    public ValueTask<IReadOnlyList<SinkDurable>> RecoverAsync(CancellationToken cancel)
    {
        Recoveries++;
        _open.Clear();
        _openEnds.Clear();
        return ValueTask.FromResult(Durables());
    }

    public ValueTask DisposeAsync()
    {
        Disposals++;
        _open.Clear();
        _openEnds.Clear();
        return ValueTask.CompletedTask;
    }
}
