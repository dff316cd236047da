using Parquet;
using Parquet.Schema;

namespace TickEngine.Engine.Research.Recording;

/// <summary>
/// A table written as one Parquet file per hour of exchange time (<c>DIR/YYYY-MM-DDTHH.parquet</c>, UTC), with the
/// Parquet sink's file discipline: zstd at an explicit level, each file written under a temporary name and renamed
/// when its hour is complete (or the run ends), so a notebook never reads half a file. Rows are buffered per row group
/// (bounded memory); rows must come in non-decreasing hour. One thread.
/// </summary>
public sealed class HourlyParquetTable : IDisposable
{
    private const long HourNs = 3_600_000_000_000;
    private readonly string _dir;
    private readonly IReadOnlyList<ParquetColumn> _columns;
    private readonly ParquetSchema _schema;
    private readonly DataField[] _fields;
    private readonly List<object?>[] _values;
    private readonly int _groupRows;
    private long _hour = long.MinValue;
    private FileStream? _file;
    private ParquetWriter? _writer;
    private string? _path;

    public HourlyParquetTable(string dir, IReadOnlyList<ParquetColumn> columns, int groupRows = 100_000)
    {
        _dir = dir;
        _columns = columns;
        _groupRows = groupRows;
        _fields = columns.Select(c => c.Type switch
        {
            ParquetColumnType.Int64 => new DataField<long?>(c.Name),
            ParquetColumnType.Decimal => (DataField)new DecimalDataField(c.Name, 18, c.Scale, false, true),
            ParquetColumnType.Double => new DataField<double?>(c.Name),
            _ => new DataField<string>(c.Name),
        }).ToArray();
        _schema = new ParquetSchema(_fields);
        _values = columns.Select(_ => new List<object?>()).ToList().ToArray();
        Directory.CreateDirectory(dir);
    }

    /// <summary>Files completed so far (full paths).</summary>
    public List<string> Files { get; } = new();
    public long Rows { get; private set; }

    /// <summary>Appends a row at exchange time <paramref name="timeNs"/>: one value per column (long, decimal?, double?, string?).</summary>
    public void Append(long timeNs, params object?[] row)
    {
        if (row.Length != _columns.Count) throw new ArgumentException($"{row.Length} values for {_columns.Count} columns");
        long hour = Math.DivRem(timeNs, HourNs, out long rem) - (rem < 0 ? 1 : 0);
        if (hour != _hour)
        {
            if (hour < _hour) hour = _hour; // a late row stays in the open hour (never reopens a closed file)
            else { Close(); _hour = hour; }
        }
        for (int i = 0; i < row.Length; i++) _values[i].Add(row[i]);
        Rows++;
        if (_values[0].Count >= _groupRows) WriteGroup();
    }

    private void WriteGroup() => WriteGroupAsync().GetAwaiter().GetResult();

    private async Task WriteGroupAsync()
    {
        if (_values[0].Count == 0) return;
        if (_writer is null)
        {
            _path = Path.Combine(_dir, DateTimeOffset.FromUnixTimeMilliseconds(_hour * 3_600_000).ToString("yyyy-MM-dd'T'HH", System.Globalization.CultureInfo.InvariantCulture) + ".parquet");
            _file = new FileStream(_path + ".writing", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            _writer = await ParquetWriter.CreateAsync(_schema, _file, new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = System.IO.Compression.CompressionLevel.Fastest });
        }
        using (var group = _writer.CreateRowGroup())
        {
            for (int i = 0; i < _columns.Count; i++)
            {
                var v = _values[i];
                switch (_columns[i].Type)
                {
                    case ParquetColumnType.Int64: await group.WriteAsync<long>(_fields[i], new ReadOnlyMemory<long?>(v.Select(x => (long?)x).ToArray())); break;
                    case ParquetColumnType.Decimal: await group.WriteAsync<decimal>(_fields[i], new ReadOnlyMemory<decimal?>(v.Select(x => (decimal?)x).ToArray())); break;
                    case ParquetColumnType.Double: await group.WriteAsync<double>(_fields[i], new ReadOnlyMemory<double?>(v.Select(x => (double?)x).ToArray())); break;
                    default: await group.WriteAsync(_fields[i], (IReadOnlyCollection<string>)v.Select(x => (string?)x).ToArray()!, null); break;
                }
                v.Clear();
            }
        }
    }

    /// <summary>Completes the open hour's file (its rows written, renamed to its final name).</summary>
    private void Close()
    {
        WriteGroup();
        if (_writer is null) return;
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _file!.Flush(true);
        _file.Dispose();
        File.Move(_path + ".writing", _path!, overwrite: true);
        Files.Add(_path!);
        _writer = null;
        _file = null;
    }

    /// <summary>Completes the last file.</summary>
    public void Dispose() => Close();
}
