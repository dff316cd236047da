using Parquet;
using Parquet.Schema;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Export;

/// <summary>
/// Rows of one schema as a Parquet file: <c>exchange</c> and <c>symbol</c> (strings), then the schema's columns from its
/// layout: times as INT64 nanoseconds since the epoch, UTC (<c>exchange_time_ns</c>, exact: Parquet's TIMESTAMP through
/// .NET's DateTime holds only 100 ns), prices, quantities and decimals as DECIMAL(18, scale) of their exact mantissas
/// (one scale per column: rows of segments at smaller scales are raised to it exactly, and a value that would not fit
/// is refused), text trade ids as strings, sides and marker kinds as their names, ids, counts, flags and durations as
/// INT64. The file is written under a temporary name and renamed when complete: a reader never sees half a file.
/// One thread.
/// </summary>
public sealed class ParquetRowsWriter : IAsyncDisposable
{
    private readonly string _path, _temp;
    private readonly SegmentSchema _schema;
    private readonly ParquetRowsOptions _options;
    private readonly FileStream _file;
    private ParquetWriter? _writer;
    private readonly ParquetSchema _parquet;
    private readonly List<(int Column, DataField Field, ColumnShape Shape)> _fields = new();
    private readonly DataField _exchangeField = new DataField<string>("exchange"), _symbolField = new DataField<string>("symbol");
    private string[] _exchanges, _symbols;
    private readonly long[][] _longs;
    private readonly decimal[][] _decimals;
    private readonly string?[][] _texts;
    private int _capacity;
    private int _count;
    private bool _done;

    private enum ColumnShape { Int64, Decimal, Text, TradeIdText }

    /// <param name="schema">The schema the file holds, at the scales its decimal columns are written at (the largest of the rows').</param>
    public ParquetRowsWriter(string path, SegmentSchema schema, ParquetRowsOptions? options = null)
    {
        _path = path;
        _temp = path + ".writing";
        _schema = schema;
        _options = options ?? new ParquetRowsOptions();
        var fields = new List<Field> { _exchangeField, _symbolField };
        for (int k = 0; k < schema.ColumnCount; k++)
        {
            var col = schema.Columns[k];
            if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue; // part of trade_id, written as its text
            (DataField field, ColumnShape shape) = col.Kind switch
            {
                ColumnKind.Timestamp => ((DataField)new DataField<long>(col.Name + "_ns"), ColumnShape.Int64),
                ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal => (new DecimalDataField(col.Name, 18, col.Scale), ColumnShape.Decimal),
                ColumnKind.Enum => (new DataField<string>(col.Name), ColumnShape.Text),
                ColumnKind.Id when schema.TextTradeIds && k == TradeColumns.TradeId => (new DataField<string>(col.Name), ColumnShape.TradeIdText),
                _ => (new DataField<long>(col.Name), ColumnShape.Int64),
            };
            fields.Add(field);
            _fields.Add((k, field, shape));
        }
        _parquet = new ParquetSchema(fields);
        _exchanges = [];
        _symbols = [];
        _longs = new long[schema.ColumnCount][];
        _decimals = new decimal[schema.ColumnCount][];
        _texts = new string?[schema.ColumnCount][];
        Grow();
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        _file = new FileStream(_temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    }

    /// <summary>Rows written so far.</summary>
    public long Rows { get; private set; }

    /// <summary>
    /// The row group's buffers grow as rows come, up to <see cref="ParquetRowsOptions.RowGroupRows"/>: a file of a
    /// few rows holds a few rows' memory.
    /// </summary>
    private void Grow()
    {
        int n = Math.Min(_options.RowGroupRows, Math.Max(1024, _capacity * 2));
        Array.Resize(ref _exchanges, n);
        Array.Resize(ref _symbols, n);
        foreach (var (k, _, shape) in _fields)
        {
            if (shape == ColumnShape.Int64) Array.Resize(ref _longs[k], n);
            else if (shape == ColumnShape.Decimal) Array.Resize(ref _decimals[k], n);
            else Array.Resize(ref _texts[k], n);
        }
        _capacity = n;
    }

    /// <summary>
    /// Appends a row of <paramref name="source"/> (a segment's schema; its scales may be smaller than the file's: its
    /// decimals are raised exactly). False when a value cannot be held at the file's scale (the row is not written).
    /// </summary>
    public bool Append(string exchange, string symbol, ReadOnlySpan<long> row, SegmentSchema source)
    {
        if (_count == _capacity) Grow();
        int i = _count;
        foreach (var (k, _, shape) in _fields)
        {
            var col = _schema.Columns[k];
            switch (shape)
            {
                case ColumnShape.Int64:
                    _longs[k][i] = row[k];
                    break;
                case ColumnShape.Decimal:
                    int from = col.Kind == ColumnKind.Price ? source.PriceScale : col.Kind == ColumnKind.Quantity ? source.QuantityScale : source.DecimalScale;
                    if (!Storage.Numerics.FixedDecimal.TryRescale(row[k], from, col.Scale, out long m)) return false;
                    _decimals[k][i] = Exact(m, col.Scale);
                    break;
                case ColumnShape.Text:
                    _texts[k][i] = EnumText(_schema.Kind, row[k]);
                    break;
                default:
                    _texts[k][i] = source.TextTradeIds ? TradeIds.ToText(row[k], row[TradeColumns.TradeIdLo], row[TradeColumns.Flags])
                        : row[k].ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (_texts[k][i] is null) throw new StorageFormatException($"a trade id that does not decode: {row[k]:X16}");
                    break;
            }
        }
        _exchanges[i] = exchange;
        _symbols[i] = symbol;
        Rows++;
        if (++_count == _options.RowGroupRows) WriteGroup();
        return true;
    }

    /// <summary>A mantissa at a scale as the exact decimal (what Parquet's DECIMAL of the column holds).</summary>
    internal static decimal Exact(long mantissa, int scale)
    {
        ulong magnitude = mantissa < 0 ? (ulong)(-(mantissa + 1)) + 1 : (ulong)mantissa;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, mantissa < 0, (byte)scale);
    }

    internal static string EnumText(SchemaKind kind, long v) => kind switch
    {
        SchemaKind.Trades => v == (long)TradeSide.Buy ? "buy" : v == (long)TradeSide.Sell ? "sell" : "unknown",
        SchemaKind.Deltas => v == (long)BookSide.Bid ? "bid" : v == (long)BookSide.Ask ? "ask" : "unknown",
        SchemaKind.Status => ((StatusKind)v).ToString(),
        _ => v.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private void WriteGroup()
    {
        if (_count == 0) return;
        WriteGroupAsync().GetAwaiter().GetResult();
        _count = 0;
    }

    private async Task WriteGroupAsync()
    {
        _writer ??= await ParquetWriter.CreateAsync(_parquet, _file, new ParquetOptions { CompressionMethod = _options.Compression, CompressionLevel = _options.Level }, false, default);
        using var group = _writer.CreateRowGroup();
        await group.WriteAsync(_exchangeField, (IReadOnlyCollection<string>)new ArraySegment<string>(_exchanges, 0, _count), null);
        await group.WriteAsync(_symbolField, (IReadOnlyCollection<string>)new ArraySegment<string>(_symbols, 0, _count), null);
        foreach (var (k, field, shape) in _fields)
        {
            if (shape == ColumnShape.Int64) await group.WriteAsync<long>(field, new ReadOnlyMemory<long>(_longs[k], 0, _count));
            else if (shape == ColumnShape.Decimal) await group.WriteAsync<decimal>(field, new ReadOnlyMemory<decimal>(_decimals[k], 0, _count));
            else await group.WriteAsync(field, (IReadOnlyCollection<string>)new ArraySegment<string>(_texts[k]!, 0, _count)!, null);
        }
    }

    /// <summary>Writes the last row group, closes the file and gives it its name (an empty file still has its schema).</summary>
    public ValueTask CompleteAsync() => CompleteAsync(_path);

    /// <summary>As <see cref="CompleteAsync()"/>, under another name (known only now: the rows it ended with, say).</summary>
    public async ValueTask CompleteAsync(string path)
    {
        if (_done) return;
        WriteGroup();
        _writer ??= await ParquetWriter.CreateAsync(_parquet, _file, new ParquetOptions { CompressionMethod = _options.Compression, CompressionLevel = _options.Level }, false, default);
        await _writer.DisposeAsync();
        await _file.FlushAsync();
        _file.Flush(true);
        await _file.DisposeAsync();
        File.Move(_temp, path, overwrite: true);
        _done = true;
    }

    /// <summary>Without <see cref="CompleteAsync()"/>: the partial file is removed (a reader never sees it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_done) return;
        _done = true;
        try { if (_writer is not null) await _writer.DisposeAsync(); } catch (Exception) { }
        await _file.DisposeAsync();
        try { File.Delete(_temp); } catch (IOException) { }
    }
}
