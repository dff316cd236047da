using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// One instrument's rows of one schema on their way to the sinks: rows appended to the segments wait here, as
/// batches, until the segment writer says they are committed (<see cref="ISegmentCommitObserver"/>); then each batch
/// gets its position and goes to every runner whose sink takes the schema. Used from the schema's handler thread;
/// allocates nothing once its batches are pooled.
/// </summary>
internal sealed class SinkFeed : ISegmentCommitObserver
{
    private readonly StreamKey _key;
    private readonly SinkRunner[] _runners;
    private readonly RowBatchPool _pool;
    private readonly int _capacity;
    private readonly List<RowBatch> _waiting = new(4);
    private string? _path;
    private long _day;
    private int _part;

    public SinkFeed(StreamKey key, SinkRunner[] runners, RowBatchPool pool, int capacity)
    {
        _key = key;
        _runners = runners;
        _pool = pool;
        _capacity = capacity;
    }

    /// <summary>A row appended to the segments (not yet committed).</summary>
    public void Add(SegmentSchema schema, ReadOnlySpan<long> row)
    {
        RowBatch? last = _waiting.Count > 0 ? _waiting[^1] : null;
        if (last is null || !ReferenceEquals(last.Schema, schema))
        {
            last = _pool.Rent(_key, schema, _capacity);
            _waiting.Add(last);
        }
        last.Add(row);
    }

    /// <summary>The segments refused the last row added.</summary>
    public void RemoveLast()
    {
        if (_waiting.Count == 0) return;
        var last = _waiting[^1];
        last.RemoveLast();
        if (last.Count == 0)
        {
            _waiting.RemoveAt(_waiting.Count - 1);
            last.Release();
        }
    }

    public void Committed(string path, long firstRow, int rows)
    {
        if (!ReferenceEquals(path, _path))
        {
            if (!SinkPosition.TryOfSegment(path, 0, out var p)) return; // not a data-root segment: no position to give
            _path = path;
            _day = p.Day;
            _part = p.Part;
        }
        long at = firstRow;
        while (rows > 0 && _waiting.Count > 0)
        {
            var b = _waiting[0];
            if (b.Count > rows)
            {
                // The segment ended inside the batch (a new day): the rest goes on in the next segment.
                var rest = _pool.Rent(_key, b.Schema, _capacity);
                b.SplitInto(rows, rest);
                _waiting[0] = rest;
            }
            else _waiting.RemoveAt(0);
            b.Start = new SinkPosition(_day, _part, at);
            at += b.Count;
            rows -= b.Count;
            HandOff(b);
        }
        // Rows committed that this feed never saw cannot be sent from here; their positions leave a gap the runners
        // fill from the segments.
    }

    private void HandOff(RowBatch b)
    {
        b.Retain(_runners.Length);
        for (int i = 0; i < _runners.Length; i++) _runners[i].Offer(b);
    }

    /// <summary>The run ends: rows never committed (a writer that failed) are not sent.</summary>
    public void Discard()
    {
        foreach (var b in _waiting) b.Release();
        _waiting.Clear();
    }
}
