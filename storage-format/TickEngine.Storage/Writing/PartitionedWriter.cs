using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;

namespace TickEngine.Storage.Writing;

/// <summary>
/// Writes rows of one exchange, symbol and schema into a data root, one segment per UTC day of exchange time
/// (column 0). Reopens an existing day's segment to continue it. Single-threaded.
/// </summary>
public sealed class PartitionedWriter : IDisposable
{
    private readonly string _root;
    private readonly SegmentSchema _schema;
    private readonly SegmentWriterOptions _options;
    private SegmentWriter? _current;
    private long _currentDay = long.MinValue;
    private long _closedRows;
    private long _closedBytes;

    public PartitionedWriter(string root, string exchange, string symbol, SegmentSchema schema, SegmentWriterOptions? options = null)
    {
        DataRoot.CheckName(exchange, "exchange");
        DataRoot.CheckName(symbol, "symbol");
        _root = root;
        Exchange = exchange;
        Symbol = symbol;
        _schema = schema;
        _options = options ?? new SegmentWriterOptions();
    }

    public string Exchange { get; }
    public string Symbol { get; }
    public SegmentSchema Schema => _schema;

    /// <summary>Rows committed by this writer (over all days it wrote; rows already in a reopened segment included).</summary>
    public long CommittedRows => _closedRows + (_current?.CommittedRows ?? 0);

    /// <summary>Committed bytes on disk over all days this writer wrote.</summary>
    public long CommittedBytes => _closedBytes + (_current?.CommittedBytes ?? 0);

    /// <summary>Rows appended since the last commit.</summary>
    public int PendingRows => _current?.PendingRows ?? 0;

    /// <summary>The segment being written, if any.</summary>
    public string? CurrentPath => _current?.Path;

    /// <summary>Appends one row to the segment of its day.</summary>
    public void Append(ReadOnlySpan<long> row)
    {
        long day = DataRoot.DayStart(row[SegmentSchema.ExchangeTime]);
        if (day != _currentDay) Switch(day);
        _current!.Append(row);
    }

    /// <summary>Commits pending rows.</summary>
    public void Flush() => _current?.Flush();

    private void Switch(long day)
    {
        Close();
        string path = DataRoot.SegmentPath(_root, Exchange, Symbol, _schema.Kind, day);
        var header = new SegmentHeader(_schema, Exchange, Symbol, day, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000, _options.BlockRows);
        SegmentCompactor.CleanUp(path); // an interrupted compaction left the old segment whole; drop its temp file
        _current = SegmentWriter.OpenOrCreate(path, header, _options);
        _currentDay = day;
    }

    private void Close()
    {
        if (_current is not { } current) return;
        _current = null;
        _currentDay = long.MinValue;
        try
        {
            current.Dispose(); // seals (or, when that fails, closes with the committed blocks)
            if (_options.CompactOnSeal) SegmentCompactor.Compact(current.Path);
        }
        finally
        {
            _closedRows += current.CommittedRows;
            _closedBytes += File.Exists(current.Path) ? new FileInfo(current.Path).Length : 0;
        }
    }

    /// <summary>Seals the open segment.</summary>
    public void Dispose() => Close();
}
