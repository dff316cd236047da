namespace TickEngine.Engine.Sinks;

/// <summary>A double-ended queue of <see cref="PendingRange"/>s that allocates only when it grows.</summary>
internal sealed class RangeQueue
{
    private PendingRange[] _items = new PendingRange[4];
    private int _head, _count;

    public int Count => _count;
    public ref PendingRange Head => ref _items[_head];

    /// <summary>Adds rows after the last range; rows that continue it extend it (it keeps the older time), so a segment's queue stays short.</summary>
    public void PushBack(in PendingRange r)
    {
        if (_count > 0)
        {
            ref var tail = ref _items[(_head + _count - 1) % _items.Length];
            if (tail.To == r.From)
            {
                tail.To = r.To;
                return;
            }
        }
        if (_count == _items.Length) Grow();
        _items[(_head + _count) % _items.Length] = r;
        _count++;
    }

    public void PushFront(in PendingRange r)
    {
        if (_count == _items.Length) Grow();
        _head = (_head - 1 + _items.Length) % _items.Length;
        _items[_head] = r;
        _count++;
    }

    private void PopFront()
    {
        _head = (_head + 1) % _items.Length;
        _count--;
    }

    private void Grow()
    {
        var grown = new PendingRange[_items.Length * 2];
        for (int i = 0; i < _count; i++) grown[i] = _items[(_head + i) % _items.Length];
        _items = grown;
        _head = 0;
    }

    /// <summary>Removes the rows before row <paramref name="end"/>; returns how many were removed.</summary>
    public long RemoveUntil(long end)
    {
        long rows = 0;
        while (_count > 0)
        {
            ref var h = ref Head;
            if (h.To <= end)
            {
                rows += h.To - h.From;
                PopFront();
                continue;
            }
            if (h.From < end)
            {
                rows += end - h.From;
                h.From = end;
            }
            break;
        }
        return rows;
    }

    /// <summary>When the oldest range was committed (<see cref="long.MaxValue"/> when empty).</summary>
    public long OldestTicks => _count == 0 ? long.MaxValue : Head.Ticks;
}
