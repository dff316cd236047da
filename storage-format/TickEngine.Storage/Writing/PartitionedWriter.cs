using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;

namespace TickEngine.Storage.Writing;

/// <summary>
/// Writes rows of one exchange, symbol and schema into a data root, one segment per UTC day of exchange time
/// (column 0). Continues the day's last segment when it can take the rows; otherwise (its scales or columns differ,
/// or it is damaged) the day continues in a new part, <c>YYYY-MM-DD.n.tks</c> (FORMAT.md, "Layout on disk"). A row
/// may come with a schema of other scales (<see cref="Append(SegmentSchema, ReadOnlySpan{long})"/>): the day's
/// segment is sealed and the rows continue in a new part at those scales. Single-threaded.
/// </summary>
public sealed class PartitionedWriter : IDisposable
{
    private readonly string _root;
    private SegmentSchema _schema;
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

    /// <summary>Rows this writer committed (over all days and parts it wrote; rows already in a continued segment are not counted).</summary>
    public long CommittedRows => _closedRows + (_current is { } c ? c.CommittedRows - c.RowsAtOpen : 0);

    /// <summary>Bytes this writer added to the disk over all days it wrote.</summary>
    public long CommittedBytes => _closedBytes + (_current is { } c ? c.CommittedBytes - c.BytesAtOpen : 0);

    /// <summary>Segments this writer started as a new part of a day (scales changed, or the day's segment was damaged).</summary>
    public int PartsStarted { get; private set; }

    /// <summary>Rows appended since the last commit.</summary>
    public int PendingRows => _current?.PendingRows ?? 0;

    /// <summary>The segment being written, if any.</summary>
    public string? CurrentPath => _current?.Path;

    /// <summary>Told of every commit of every segment this writer writes (see <see cref="ISegmentCommitObserver"/>).</summary>
    public ISegmentCommitObserver? CommitObserver { get; set; }

    /// <summary>Appends one row to the segment of its day.</summary>
    public void Append(ReadOnlySpan<long> row)
    {
        long day = DataRoot.DayStart(row[SegmentSchema.ExchangeTime]);
        if (day != _currentDay) Switch(day);
        _current!.Append(row);
    }

    /// <summary>
    /// Appends one row of <paramref name="schema"/>: when its scales or columns differ from the rows before, the
    /// current segment is sealed and the day continues in a new part at the new schema.
    /// </summary>
    public void Append(SegmentSchema schema, ReadOnlySpan<long> row)
    {
        if (!ReferenceEquals(schema, _schema) && !SameLayout(schema, _schema))
        {
            if (schema.Kind != _schema.Kind) throw new ArgumentException($"{Exchange}/{Symbol}: a {schema.Name} row given to the {_schema.Name} writer");
            Close();
            _schema = schema;
        }
        else _schema = schema;
        Append(row);
    }

    private static bool SameLayout(SegmentSchema a, SegmentSchema b) =>
        a.Kind == b.Kind && a.Depth == b.Depth && a.PriceScale == b.PriceScale && a.QuantityScale == b.QuantityScale && a.TextTradeIds == b.TextTradeIds &&
        a.DecimalScale == b.DecimalScale;

    /// <summary>Commits pending rows.</summary>
    public void Flush() => _current?.Flush();

    private void Switch(long day)
    {
        Close();
        var header = new SegmentHeader(_schema, Exchange, Symbol, day, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000, _options.BlockRows);
        // The day's last part is continued when it can take these rows; otherwise a new part is started.
        var parts = DataRoot.ExistingParts(_root, Exchange, Symbol, _schema.Kind, day);
        int last = parts.Count == 0 ? 0 : parts[^1];
        string path = DataRoot.SegmentPath(_root, Exchange, Symbol, _schema.Kind, day, last);
        SegmentCompactor.CleanUp(path); // an interrupted compaction left the old segment whole; drop its temp file
        try
        {
            _current = SegmentWriter.OpenOrCreate(path, header, _options);
        }
        catch (StorageFormatException) when (parts.Count > 0)
        {
            // Other scales or columns, or damage a writer must not append to: the day goes on in a new part.
            if (last == DataRoot.MaxPart) throw;
            path = DataRoot.SegmentPath(_root, Exchange, Symbol, _schema.Kind, day, last + 1);
            _current = SegmentWriter.OpenOrCreate(path, header, _options);
            PartsStarted++;
        }
        _current.CommitObserver = CommitObserver;
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
            _closedRows += current.CommittedRows - current.RowsAtOpen;
            _closedBytes += (File.Exists(current.Path) ? new FileInfo(current.Path).Length : 0) - current.BytesAtOpen;
        }
    }

    /// <summary>Seals the open segment.</summary>
    public void Dispose() => Close();
}
