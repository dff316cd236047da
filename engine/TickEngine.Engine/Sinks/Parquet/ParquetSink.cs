using System.Globalization;
using System.Text.RegularExpressions;
using TickEngine.Engine.Export;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks.Parquet;

/// <summary>
/// A folder of Parquet files mirroring the segments, the same columns and types as <c>export parquet</c>: files of
/// consecutive rows of one segment, <c>DIR/exchange/symbol/schema/YYYY-MM-DD.PART.FROM-TO.parquet</c> holding rows FROM
/// to TO - 1 of segment <c>YYYY-MM-DD[.PART].tks</c>. A file is written under a temporary name and takes its name when
/// complete (it reached <see cref="ParquetSinkOptions.FileRows"/>, rows of its segment were dropped, it is
/// <see cref="ParquetSinkOptions.FileAge"/> old, or the run ends): the names are the sink's durable positions, so a
/// run after a crash starts exactly after the last complete file, and no row is written twice or left out.
/// One thread (its runner's).
/// </summary>
public sealed partial class ParquetSink : ISink
{
    private readonly ParquetSinkOptions _options;
    private readonly Dictionary<SegmentId, OpenFile> _open = new();
    private readonly Dictionary<SegmentId, SinkPosition> _durable = new();
    private readonly List<SinkDurable> _moved = new();
    private long[] _row = new long[16];

    private sealed class OpenFile(ParquetRowsWriter writer, SinkPosition start, SegmentSchema schema, string directory)
    {
        public ParquetRowsWriter Writer { get; } = writer;
        public SinkPosition Start { get; } = start;
        public SegmentSchema Schema { get; } = schema;
        public string Directory { get; } = directory;
        public long Rows;
        public DateTime OpenedUtc { get; } = DateTime.UtcNow;
        public SinkPosition End => Start.Plus(Rows);
    }

    public ParquetSink(string directory, ParquetSinkOptions? options = null)
    {
        Directory = Path.GetFullPath(directory);
        _options = options ?? new ParquetSinkOptions();
        if (_options.FileRows < 1) throw new ArgumentOutOfRangeException(nameof(options), "a Parquet file holds at least one row");
    }

    /// <summary>The folder the files go to.</summary>
    public string Directory { get; }

    public string Name => "parquet";
    public string Target => "parquet:" + Directory;
    public bool Durable => true;

    /// <summary>Complete files written in this run.</summary>
    public int FilesWritten { get; private set; }

    public bool Accepts(SchemaKind schema) => _options.Schemas is null || _options.Schemas.Contains(schema);

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2})\.(\d{1,3})\.(\d{12,})-(\d{12,})\.parquet$")]
    private static partial Regex FileName();

    /// <summary>The name of the file holding rows <paramref name="from"/> to <paramref name="to"/> - 1 of a segment.</summary>
    public static string FileNameOf(SinkPosition from, long to) =>
        $"{DateTimeOffset.FromUnixTimeMilliseconds(from.Day / 1_000_000).UtcDateTime:yyyy-MM-dd}.{from.Part.ToString(CultureInfo.InvariantCulture)}." +
        $"{from.Row.ToString("D12", CultureInfo.InvariantCulture)}-{to.ToString("D12", CultureInfo.InvariantCulture)}.parquet";

    /// <summary>The segment rows a file of this sink holds (false for any other name).</summary>
    public static bool TryParseFileName(string path, out SinkPosition from, out long to)
    {
        from = default;
        to = 0;
        var m = FileName().Match(Path.GetFileName(path));
        if (!m.Success) return false;
        if (!SinkPosition.TryParse(m.Groups[1].Value + "." + m.Groups[2].Value + ":" + m.Groups[3].Value, out from)) return false;
        if (!long.TryParse(m.Groups[4].Value, NumberStyles.None, CultureInfo.InvariantCulture, out to) || to <= from.Row) return false;
        return true;
    }

    public ValueTask<IReadOnlyList<SinkDurable>> OpenAsync(CancellationToken cancel)
    {
        System.IO.Directory.CreateDirectory(Directory);
        _durable.Clear();
        foreach (var exchange in System.IO.Directory.EnumerateDirectories(Directory))
        foreach (var symbol in System.IO.Directory.EnumerateDirectories(exchange))
        foreach (var schemaDir in System.IO.Directory.EnumerateDirectories(symbol))
        {
            if (!SegmentSchema.TryParseName(Path.GetFileName(schemaDir), out var kind)) continue;
            var key = new StreamKey(Path.GetFileName(exchange), Path.GetFileName(symbol), kind);
            foreach (var f in System.IO.Directory.EnumerateFiles(schemaDir))
            {
                // A file a killed run was writing never took its name: its rows are given again.
                if (f.EndsWith(".parquet.writing", StringComparison.Ordinal)) { File.Delete(f); continue; }
                if (!TryParseFileName(f, out var first, out long to)) continue;
                var end = first with { Row = to };
                var id = SegmentId.Of(key, end);
                if (!_durable.TryGetValue(id, out var cur) || end > cur) _durable[id] = end;
            }
        }
        return ValueTask.FromResult(Durables());
    }

    private IReadOnlyList<SinkDurable> Durables() => _durable.Select(kv => new SinkDurable(kv.Key.Stream, kv.Value)).ToList();

    public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancel)
    {
        if (batch.Schema.ColumnCount > _row.Length) _row = new long[batch.Schema.ColumnCount];
        var id = SegmentId.Of(batch.Stream, batch.Start);
        int r = 0;
        while (r < batch.Count)
        {
            var at = batch.Start.Plus(r);
            if (_open.TryGetValue(id, out var f) && (f.End != at || !SameLayout(f.Schema, batch.Schema)))
            {
                // Not the rows after the file's (rows were dropped) or other scales: the file is complete.
                await CompleteAsync(id, f);
                f = null;
            }
            f ??= Open(id, at, batch.Schema);
            int n = (int)Math.Min(batch.Count - r, _options.FileRows - f.Rows);
            for (int i = 0; i < n; i++)
            {
                batch.CopyRow(r + i, _row);
                if (!f.Writer.Append(batch.Stream.Exchange, batch.Stream.Symbol, _row.AsSpan(0, batch.Schema.ColumnCount), batch.Schema))
                    throw new InvalidOperationException($"{batch.Stream} row {at.Plus(i)}: a value Parquet's DECIMAL(18, {batch.Schema.PriceScale}) cannot hold");
                f.Rows++;
            }
            r += n;
            if (f.Rows >= _options.FileRows) await CompleteAsync(id, f);
        }
    }

    private static bool SameLayout(SegmentSchema a, SegmentSchema b) =>
        a.Kind == b.Kind && a.Depth == b.Depth && a.PriceScale == b.PriceScale && a.QuantityScale == b.QuantityScale && a.TextTradeIds == b.TextTradeIds &&
        a.DecimalScale == b.DecimalScale;

    private OpenFile Open(SegmentId id, SinkPosition start, SegmentSchema schema)
    {
        var stream = id.Stream;
        string dir = Path.Combine(Directory, stream.Exchange, stream.Symbol, SegmentSchema.NameOf(stream.Schema));
        string path = Path.Combine(dir, FileNameOf(start, start.Row + 1));
        var writer = new ParquetRowsWriter(path, schema, new ParquetRowsOptions { RowGroupRows = _options.RowGroupRows, Level = _options.Level });
        var f = new OpenFile(writer, start, schema, dir);
        _open[id] = f;
        return f;
    }

    private async ValueTask CompleteAsync(SegmentId id, OpenFile f)
    {
        _open.Remove(id);
        if (f.Rows == 0)
        {
            await f.Writer.DisposeAsync();
            return;
        }
        await f.Writer.CompleteAsync(Path.Combine(f.Directory, FileNameOf(f.Start, f.End.Row)));
        FilesWritten++;
        _durable[id] = f.End;
        _moved.Add(new SinkDurable(id.Stream, f.End));
    }

    public async ValueTask<SinkFlushResult> FlushAsync(SinkFlushKind kind, CancellationToken cancel)
    {
        var now = DateTime.UtcNow;
        foreach (var (id, f) in _open.ToList())
            if (kind == SinkFlushKind.Final || now - f.OpenedUtc >= _options.FileAge)
                await CompleteAsync(id, f);
        if (_moved.Count == 0) return SinkFlushResult.None;
        var moved = _moved.ToList();
        _moved.Clear();
        return new SinkFlushResult(moved);
    }

    public async ValueTask<IReadOnlyList<SinkDurable>> RecoverAsync(CancellationToken cancel)
    {
        await DiscardOpenAsync();
        _moved.Clear();
        return Durables();
    }

    private async ValueTask DiscardOpenAsync()
    {
        foreach (var f in _open.Values)
        {
            try { await f.Writer.DisposeAsync(); }
            catch (IOException) { }
        }
        _open.Clear();
    }

    /// <summary>Files not completed are removed (their rows were not durable: a later run gives them again).</summary>
    public ValueTask DisposeAsync() => DiscardOpenAsync();
}
