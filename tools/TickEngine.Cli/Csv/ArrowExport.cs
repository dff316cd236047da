using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Csv;

/// <summary>
/// Rows as an Apache Arrow IPC stream (Apache.Arrow 23), in record batches of 65,536 rows, so a Python, pandas,
/// polars or JavaScript client reads them in one call: exchange and symbol as strings, times as int64 nanoseconds
/// (<c>*_ns</c>), prices, quantities and decimals as decimal128(18, scale) exactly, sides and kinds as their names,
/// ids, counts and flags as int64. A segment at larger scales than the first ends the stream with an error (its values
/// would not fit the columns' scales): ask for the range in parts.
/// </summary>
public static class ArrowExport
{
    public const int BatchRows = 65_536;

    /// <summary>The rows the cursor is moved over (each yielded once, on its row) as one Arrow stream; returns the rows written.</summary>
    public static long Write(IEnumerable<SegmentCursor> source, string exchangeName, string symbolName, Stream output, CancellationToken cancel)
    {
        ArrowStreamWriter? writer = null;
        SegmentSchema? first = null;
        Schema? arrow = null;
        Builder[] builders = [];
        StringArray.Builder? exchanges = null, symbols = null;
        long rows = 0;
        int inBatch = 0;
        void Flush()
        {
            if (inBatch == 0) return;
            var arrays = new List<IArrowArray> { exchanges!.Build(), symbols!.Build() };
            arrays.AddRange(builders.Select(b => b.Build()));
            using var batch = new RecordBatch(arrow!, arrays, inBatch);
            writer!.WriteRecordBatch(batch);
            exchanges = new StringArray.Builder();
            symbols = new StringArray.Builder();
            foreach (var b in builders) b.Reset();
            inBatch = 0;
        }
        try
        {
            foreach (var c in source)
            {
                var s = c.Reader.Schema;
                if (first is null)
                {
                    first = s;
                    var fields = new List<Field> { new("exchange", StringType.Default, false), new("symbol", StringType.Default, false) };
                    builders = Enumerable.Range(0, s.ColumnCount).Where(k => !(s.TextTradeIds && k == TradeColumns.TradeIdLo)).Select(k => new Builder(s, k)).ToArray();
                    fields.AddRange(builders.Select(b => b.Field));
                    arrow = new Schema(fields, null);
                    writer = new ArrowStreamWriter(output, arrow);
                    exchanges = new StringArray.Builder();
                    symbols = new StringArray.Builder();
                }
                else
                    for (int k = 0; k < s.ColumnCount; k++)
                        if (s.Columns[k].Scale > first.Columns[k].Scale || s.Depth != first.Depth)
                            throw new InvalidDataException($"{c.Reader.Path}: its {s.Columns[k].Name} is at scale {s.Columns[k].Scale}, above the stream's {first.Columns[k].Scale}: ask for the range in parts");
                exchanges!.Append(exchangeName);
                symbols!.Append(symbolName);
                foreach (var b in builders) b.Append(c, s);
                rows++;
                if (++inBatch == BatchRows) Flush();
                if (cancel.IsCancellationRequested) break;
            }
            if (writer is null) return 0;
            Flush();
            writer.WriteEnd();
            return rows;
        }
        finally
        {
            writer?.Dispose();
        }
    }

    /// <summary>One column's builder: its Arrow type from the column's kind.</summary>
    private sealed class Builder
    {
        private readonly int _k;
        private readonly ColumnKind _kind;
        private readonly SchemaKind _schema;
        private readonly int _scale;
        private readonly bool _textId;
        private Int64Array.Builder _longs = new();
        private Decimal128Array.Builder? _decimals;
        private StringArray.Builder _strings = new();
        private readonly Decimal128Type? _decimalType;

        public Builder(SegmentSchema s, int k)
        {
            _k = k;
            var col = s.Columns[k];
            _kind = col.Kind;
            _schema = s.Kind;
            _scale = col.Scale;
            _textId = s.TextTradeIds && k == TradeColumns.TradeId;
            if (_kind is ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal)
            {
                _decimalType = new Decimal128Type(18, _scale);
                _decimals = new Decimal128Array.Builder(_decimalType);
                Field = new Field(col.Name, _decimalType, false);
            }
            else if (_kind == ColumnKind.Enum || _textId) Field = new Field(col.Name, StringType.Default, false);
            else Field = new Field(col.Kind == ColumnKind.Timestamp ? col.Name + "_ns" : col.Name, Int64Type.Default, false);
        }

        public Field Field { get; }

        public void Append(SegmentCursor c, SegmentSchema s)
        {
            long v = c[_k];
            if (_decimals is not null)
            {
                // A segment at a smaller scale is raised to the column's: exact.
                for (int i = s.Columns[_k].Scale; i < _scale; i++) v *= 10;
                _decimals.Append(new decimal(Math.Abs(v)) / Pow10(_scale) * Math.Sign(v));
            }
            else if (_textId) _strings.Append(TradeIds.ToText(c[TradeColumns.TradeId], c[TradeColumns.TradeIdLo], c[TradeColumns.Flags]) ?? "invalid");
            else if (_kind == ColumnKind.Enum)
                _strings.Append(System.Text.Encoding.ASCII.GetString(_schema switch
                {
                    SchemaKind.Trades => ExportLayout.TradeSideText(v),
                    SchemaKind.Deltas => v == (long)BookSide.Bid ? "bid"u8 : v == (long)BookSide.Ask ? "ask"u8 : "unknown"u8,
                    _ => ExportLayout.StatusText(v),
                }));
            else _longs.Append(v);
        }

        public IArrowArray Build() =>
            _decimals is not null ? _decimals.Build() : _kind == ColumnKind.Enum || _textId ? _strings.Build() : _longs.Build();

        public void Reset()
        {
            _longs = new Int64Array.Builder();
            _strings = new StringArray.Builder();
            if (_decimalType is not null) _decimals = new Decimal128Array.Builder(_decimalType);
        }

        private static decimal Pow10(int n)
        {
            decimal p = 1;
            for (int i = 0; i < n; i++) p *= 10;
            return p;
        }
    }
}
