using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// Rows of one stream (one instrument, one schema) as columns: <see cref="Count"/> rows from <see cref="Start"/>,
/// every one committed in the segments. Values are as stored (times in ns, prices, quantities and decimals as
/// mantissas at <see cref="Schema"/>'s scales). A sink reads a batch only during the call it is given in (batches are
/// pooled and reused): copy what it keeps.
/// </summary>
public sealed class RowBatch
{
    private long[][] _columns = [];
    private int _offset;
    private int _refs;
    private RowBatchPool? _pool;

    internal RowBatch(RowBatchPool? pool) => _pool = pool;

    /// <summary>The stream the rows belong to.</summary>
    public StreamKey Stream { get; internal set; } = null!;

    /// <summary>The rows' schema, with the scales the segment stores them at.</summary>
    public SegmentSchema Schema { get; internal set; } = null!;

    /// <summary>The position of the first row.</summary>
    public SinkPosition Start { get; internal set; }

    /// <summary>Rows in the batch.</summary>
    public int Count { get; internal set; }

    /// <summary>The position after the last row: the stream's commit watermark once the sink has taken the batch.</summary>
    public SinkPosition End => Start.Plus(Count);

    /// <summary>True when the rows were read back from the segments (a catch-up) rather than handed over as they were committed.</summary>
    public bool FromSegments { get; internal set; }

    /// <summary>The values of one column.</summary>
    public ReadOnlySpan<long> Column(int column) => new(_columns[column], _offset, Count);

    /// <summary>One value.</summary>
    public long this[int row, int column] => _columns[column][_offset + row];

    /// <summary>Copies one row into <paramref name="destination"/> (at least <see cref="SegmentSchema.ColumnCount"/> values).</summary>
    public void CopyRow(int row, Span<long> destination)
    {
        for (int c = 0; c < Schema.ColumnCount; c++) destination[c] = _columns[c][_offset + row];
    }

    /// <summary>The receive time of the last row (0 for an empty batch).</summary>
    public long LastReceiveTime => Count == 0 ? 0 : _columns[SegmentSchema.ReceiveTime][_offset + Count - 1];

    internal int Capacity => _columns.Length == 0 ? 0 : _columns[0].Length;

    /// <summary>Makes room for the columns of <paramref name="schema"/>, <paramref name="capacity"/> rows each (values are not kept).</summary>
    internal void Prepare(StreamKey stream, SegmentSchema schema, int capacity)
    {
        Stream = stream;
        Schema = schema;
        Count = 0;
        _offset = 0;
        Start = default;
        FromSegments = false;
        int columns = schema.ColumnCount;
        if (_columns.Length < columns || Capacity < capacity)
        {
            int cap = Math.Max(capacity, Capacity);
            var grown = new long[Math.Max(columns, _columns.Length)][];
            for (int c = 0; c < grown.Length; c++) grown[c] = new long[cap];
            _columns = grown;
        }
    }

    /// <summary>Appends a row (the batch grows when full: a segment continued from an older run may have larger blocks).</summary>
    internal void Add(ReadOnlySpan<long> row)
    {
        if (_offset + Count == Capacity) Grow();
        int at = _offset + Count;
        for (int c = 0; c < row.Length; c++) _columns[c][at] = row[c];
        Count++;
    }

    /// <summary>Appends rows <paramref name="from"/>..<paramref name="from"/>+<paramref name="count"/> of a decoded block.</summary>
    internal void AddBlock(Storage.Reading.BlockBuffer block, int from, int count)
    {
        while (_offset + Count + count > Capacity) Grow();
        int at = _offset + Count;
        for (int c = 0; c < Schema.ColumnCount; c++) block.Column(c).Slice(from, count).CopyTo(_columns[c].AsSpan(at));
        Count += count;
    }

    private void Grow()
    {
        int cap = Math.Max(16, Capacity * 2);
        for (int c = 0; c < _columns.Length; c++) Array.Resize(ref _columns[c], cap);
    }

    /// <summary>Removes the last row (the segment refused it).</summary>
    internal void RemoveLast() => Count--;

    /// <summary>Moves rows from <paramref name="keep"/> on into <paramref name="rest"/> (prepared for the same stream); this batch keeps the first <paramref name="keep"/>.</summary>
    internal void SplitInto(int keep, RowBatch rest)
    {
        for (int r = keep; r < Count; r++)
        {
            if (rest._offset + rest.Count == rest.Capacity) rest.Grow();
            int at = rest._offset + rest.Count;
            for (int c = 0; c < Schema.ColumnCount; c++) rest._columns[c][at] = _columns[c][_offset + r];
            rest.Count++;
        }
        Count = keep;
    }

    /// <summary>Drops the first <paramref name="rows"/> rows (already given to the sink): the batch starts later.</summary>
    internal void Skip(int rows)
    {
        _offset += rows;
        Count -= rows;
        Start = Start.Plus(rows);
    }

    internal void Retain(int refs) => Volatile.Write(ref _refs, refs);

    /// <summary>One holder is done with the batch; the last returns it to its pool.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _refs) == 0) _pool?.Return(this);
    }
}
