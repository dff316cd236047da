namespace TickEngine.Storage.Reading;

/// <summary>
/// Merges several cursors into one stream in non-decreasing exchange time. Ties go to the cursor given first
/// (the caller orders cursors by exchange, symbol, schema), and within a cursor rows keep their stored order:
/// the order is deterministic. Allocation-free per row. One thread.
/// </summary>
public sealed class MergedCursor : IDisposable
{
    private readonly SegmentCursor[] _cursors;
    private readonly bool[] _live;
    private int _current = -1;
    private bool _started;

    public MergedCursor(IReadOnlyList<SegmentCursor> cursors)
    {
        _cursors = cursors.ToArray();
        _live = new bool[_cursors.Length];
    }

    /// <summary>The cursor holding the current row.</summary>
    public SegmentCursor Current => _cursors[_current];
    /// <summary>Index (in the list given) of the cursor holding the current row.</summary>
    public int CurrentIndex => _current;

    public bool MoveNext()
    {
        if (!_started)
        {
            for (int i = 0; i < _cursors.Length; i++) _live[i] = _cursors[i].MoveNext();
            _started = true;
        }
        else if (_current >= 0) _live[_current] = _cursors[_current].MoveNext();
        int best = -1;
        long bestTs = long.MaxValue;
        for (int i = 0; i < _cursors.Length; i++)
        {
            if (!_live[i]) continue;
            long t = _cursors[i].Timestamp;
            if (best < 0 || t < bestTs) { best = i; bestTs = t; }
        }
        _current = best;
        return best >= 0;
    }

    public void Dispose()
    {
        foreach (var c in _cursors) c.Dispose();
    }
}
