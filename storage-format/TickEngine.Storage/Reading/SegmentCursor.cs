using TickEngine.Storage.Format;

namespace TickEngine.Storage.Reading;

/// <summary>
/// Walks the rows of one segment whose time (exchange time, column 0, or receive time, column 1) is in
/// [start, end), block by block, skipping blocks the index places outside the range. Allocation-free after
/// construction. One thread.
/// </summary>
public sealed class SegmentCursor : IDisposable
{
    private readonly bool _ownsReader;
    private readonly long _start;
    private readonly long _end;
    private readonly int _timeColumn;
    private int _nextBlock;
    private int _row = -1;

    public SegmentCursor(SegmentReader reader, long startNs = long.MinValue, long endNs = long.MaxValue, bool ownsReader = true, int timeColumn = SegmentSchema.ExchangeTime)
    {
        if (timeColumn is not (SegmentSchema.ExchangeTime or SegmentSchema.ReceiveTime)) throw new ArgumentOutOfRangeException(nameof(timeColumn));
        _timeColumn = timeColumn;
        Reader = reader;
        _ownsReader = ownsReader;
        _start = startNs;
        _end = endNs;
        Buffer = reader.CreateBuffer();
        _nextBlock = timeColumn == SegmentSchema.ExchangeTime ? reader.FirstBlockFrom(startNs) : 0;
    }

    public SegmentReader Reader { get; }
    /// <summary>The decoded block holding the current row.</summary>
    public BlockBuffer Buffer { get; }
    /// <summary>Index of the current row inside <see cref="Buffer"/>.</summary>
    public int Row => _row;
    /// <summary>The current row's time in the cursor's time column.</summary>
    public long Timestamp => Buffer[_timeColumn, _row];
    /// <summary>A value of the current row.</summary>
    public long this[int column] => Buffer[column, _row];

    /// <summary>Moves to the next row in range; false at the end. Damage throws <see cref="StorageFormatException"/>.</summary>
    public bool MoveNext()
    {
        while (true)
        {
            if (_row >= 0)
            {
                var ts = Buffer.Column(_timeColumn);
                for (int r = _row + 1; r < Buffer.Rows; r++)
                {
                    long t = ts[r];
                    if (t >= _start && t < _end) { _row = r; return true; }
                }
            }
            var blocks = Reader.Blocks;
            while (_nextBlock < blocks.Count && OutOfRange(blocks[_nextBlock])) _nextBlock++;
            if (_nextBlock >= blocks.Count)
            {
                _row = Buffer.Rows;
                return false;
            }
            if (Buffer.BlockIndex >= 0) Reader.Release(Buffer.BlockIndex); // decoded and done: drop its pages
            Reader.ReadBlock(_nextBlock++, Buffer);
            _row = -1;
            var t0 = Buffer.Column(_timeColumn);
            for (int r = 0; r < Buffer.Rows; r++)
            {
                if (t0[r] >= _start && t0[r] < _end) { _row = r; return true; }
            }
            _row = Buffer.Rows - 1;
        }
    }

    private bool OutOfRange(BlockInfo b) => _timeColumn == SegmentSchema.ExchangeTime
        ? b.MaxExchangeTime < _start || b.MinExchangeTime >= _end
        : b.MaxReceiveTime < _start || b.MinReceiveTime >= _end;

    public void Dispose()
    {
        if (_ownsReader) Reader.Dispose();
    }
}
