using TickEngine.Storage.Format;

namespace TickEngine.Storage.Reading;

/// <summary>
/// Walks the rows of one segment whose exchange time is in [start, end), block by block, skipping blocks the
/// index places outside the range. Allocation-free after construction. One thread.
/// </summary>
public sealed class SegmentCursor : IDisposable
{
    private readonly bool _ownsReader;
    private readonly long _start;
    private readonly long _end;
    private int _nextBlock;
    private int _row = -1;

    public SegmentCursor(SegmentReader reader, long startNs = long.MinValue, long endNs = long.MaxValue, bool ownsReader = true)
    {
        Reader = reader;
        _ownsReader = ownsReader;
        _start = startNs;
        _end = endNs;
        Buffer = reader.CreateBuffer();
        _nextBlock = reader.FirstBlockFrom(startNs);
    }

    public SegmentReader Reader { get; }
    /// <summary>The decoded block holding the current row.</summary>
    public BlockBuffer Buffer { get; }
    /// <summary>Index of the current row inside <see cref="Buffer"/>.</summary>
    public int Row => _row;
    /// <summary>Exchange time of the current row.</summary>
    public long Timestamp => Buffer[SegmentSchema.ExchangeTime, _row];
    /// <summary>A value of the current row.</summary>
    public long this[int column] => Buffer[column, _row];

    /// <summary>Moves to the next row in range; false at the end. Damage throws <see cref="StorageFormatException"/>.</summary>
    public bool MoveNext()
    {
        while (true)
        {
            if (_row >= 0)
            {
                var ts = Buffer.Column(SegmentSchema.ExchangeTime);
                for (int r = _row + 1; r < Buffer.Rows; r++)
                {
                    long t = ts[r];
                    if (t >= _start && t < _end) { _row = r; return true; }
                }
            }
            var blocks = Reader.Blocks;
            while (_nextBlock < blocks.Count && (blocks[_nextBlock].MaxExchangeTime < _start || blocks[_nextBlock].MinExchangeTime >= _end)) _nextBlock++;
            if (_nextBlock >= blocks.Count)
            {
                _row = Buffer.Rows;
                return false;
            }
            Reader.ReadBlock(_nextBlock++, Buffer);
            _row = -1;
            var t0 = Buffer.Column(SegmentSchema.ExchangeTime);
            for (int r = 0; r < Buffer.Rows; r++)
            {
                if (t0[r] >= _start && t0[r] < _end) { _row = r; return true; }
            }
            _row = Buffer.Rows - 1;
        }
    }

    public void Dispose()
    {
        if (_ownsReader) Reader.Dispose();
    }
}
