using System.Text;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Csv;

/// <summary>
/// The CSV and JSON-lines layouts of <c>export</c> (README, "CSV layouts"). Default CSV columns follow the
/// documented layouts exactly; <c>--full</c> appends every other stored column. Decimals are exact text,
/// <c>timestamp</c> is epoch milliseconds (with a fraction only when the time has one), <c>*_ns</c> columns are
/// integer nanoseconds.
/// </summary>
public static class ExportLayout
{
    public static string Header(SegmentSchema schema, bool full)
    {
        var sb = new StringBuilder("timestamp,symbol");
        switch (schema.Kind)
        {
            case SchemaKind.Trades: sb.Append(",price,quantity,side"); break;
            case SchemaKind.L2:
                for (int i = 1; i <= schema.Depth; i++) sb.Append($",bid_price_{i},bid_qty_{i}");
                for (int i = 1; i <= schema.Depth; i++) sb.Append($",ask_price_{i},ask_qty_{i}");
                break;
            case SchemaKind.Bars: sb.Append(",interval,open,high,low,close,volume"); break;
            case SchemaKind.Deltas: sb.Append(",side,price,quantity"); break;
            case SchemaKind.Status: sb.Append(",kind,a,b"); break;
            default:
                // A schema without a layout of its own (quotes, funding): its value columns, by their names.
                foreach (int k in GenericColumns(schema, full: false)) sb.Append(',').Append(CsvName(schema.Columns[k]));
                break;
        }
        if (full)
        {
            sb.Append(",exchange,exchange_time_ns,receive_time_ns");
            sb.Append(schema.Kind switch
            {
                SchemaKind.Trades => ",trade_id,flags",
                SchemaKind.L2 => ",update_id,bid_count,ask_count,flags",
                SchemaKind.Bars => ",buy_volume,trade_count,first_trade_id,last_trade_id,flags",
                SchemaKind.Deltas => ",first_update_id,last_update_id,flags",
                SchemaKind.Status => ",flags",
                _ => string.Concat(GenericColumns(schema, full: true).Select(k => "," + CsvName(schema.Columns[k]))),
            });
        }
        return sb.ToString();
    }

    /// <summary>Writes the current row of <paramref name="c"/> as one CSV line.</summary>
    public static void WriteCsv(Utf8Output o, SegmentCursor c, byte[] symbol, byte[] exchange, bool full)
    {
        var schema = c.Reader.Schema;
        int ps = schema.PriceScale, qs = schema.QuantityScale;
        o.Millis(c[0]);
        o.Byte((byte)',');
        o.Raw(symbol);
        switch (schema.Kind)
        {
            case SchemaKind.Trades:
                o.Byte((byte)','); o.Decimal(c[TradeColumns.Price], ps);
                o.Byte((byte)','); o.Decimal(c[TradeColumns.Quantity], qs);
                o.Byte((byte)','); o.Raw(TradeSideText(c[TradeColumns.Side]));
                break;
            case SchemaKind.L2:
            {
                int depth = schema.Depth;
                long bids = c[L2Columns.BidCount], asks = c[L2Columns.AskCount];
                for (int i = 0; i < depth; i++) Level(o, c, L2Columns.BidPrice(i), i < bids, ps, qs);
                for (int i = 0; i < depth; i++) Level(o, c, L2Columns.AskPrice(depth, i), i < asks, ps, qs);
                break;
            }
            case SchemaKind.Bars:
                o.Byte((byte)','); o.Raw(IntervalText(c[BarColumns.Interval]));
                for (int k = BarColumns.Open; k <= BarColumns.Close; k++) { o.Byte((byte)','); o.Decimal(c[k], ps); }
                o.Byte((byte)','); o.Decimal(c[BarColumns.Volume], qs);
                break;
            case SchemaKind.Deltas:
                o.Byte((byte)','); o.Raw(c[DeltaColumns.Side] == (long)BookSide.Bid ? "bid"u8 : c[DeltaColumns.Side] == (long)BookSide.Ask ? "ask"u8 : "unknown"u8);
                o.Byte((byte)','); o.Decimal(c[DeltaColumns.Price], ps);
                o.Byte((byte)','); o.Decimal(c[DeltaColumns.Quantity], qs);
                break;
            case SchemaKind.Status:
                o.Byte((byte)','); o.Raw(StatusText(c[StatusColumns.Kind]));
                o.Byte((byte)','); o.Long(c[StatusColumns.A]);
                o.Byte((byte)','); o.Long(c[StatusColumns.B]);
                break;
            default:
                foreach (int k in GenericColumns(schema, full: false)) { o.Byte((byte)','); Value(o, c, schema.Columns[k], k); }
                break;
        }
        if (full)
        {
            o.Byte((byte)','); o.Raw(exchange);
            o.Byte((byte)','); o.Long(c[0]);
            o.Byte((byte)','); o.Long(c[1]);
            switch (schema.Kind)
            {
                case SchemaKind.Trades:
                    o.Byte((byte)','); TradeId(o, c, json: false);
                    Longs(o, c, TradeColumns.Flags);
                    break;
                case SchemaKind.L2: Longs(o, c, L2Columns.UpdateId, L2Columns.BidCount, L2Columns.AskCount, L2Columns.Flags); break;
                case SchemaKind.Bars:
                    o.Byte((byte)','); o.Decimal(c[BarColumns.BuyVolume], qs);
                    Longs(o, c, BarColumns.TradeCount, BarColumns.FirstTradeId, BarColumns.LastTradeId, BarColumns.Flags);
                    break;
                case SchemaKind.Deltas: Longs(o, c, DeltaColumns.FirstUpdateId, DeltaColumns.LastUpdateId, DeltaColumns.Flags); break;
                case SchemaKind.Status: Longs(o, c, StatusColumns.Flags); break;
                default:
                    foreach (int k in GenericColumns(schema, full: true)) { o.Byte((byte)','); Value(o, c, schema.Columns[k], k); }
                    break;
            }
        }
        o.Byte((byte)'\n');
    }

    /// <summary>Writes the current row as one JSON object with every stored column.</summary>
    public static void WriteJson(Utf8Output o, SegmentCursor c, byte[] symbol, byte[] exchange, byte[][] quotedNames)
    {
        var schema = c.Reader.Schema;
        Span<long> row = stackalloc long[schema.ColumnCount];
        for (int k = 0; k < row.Length; k++) row[k] = c[k];
        WriteJson(o, schema, row, symbol, exchange, quotedNames);
    }

    /// <summary>One row as a JSON object and a newline (export's JSON lines; the service's messages).</summary>
    public static void WriteJson(Utf8Output o, SegmentSchema schema, ReadOnlySpan<long> row, byte[] symbol, byte[] exchange, byte[][] quotedNames)
    {
        o.Raw("{\"exchange\":\""u8); o.Raw(exchange);
        o.Raw("\",\"symbol\":\""u8); o.Raw(symbol);
        o.Raw("\",\"schema\":\""u8); o.Raw(Encoding.ASCII.GetBytes(schema.Name));
        o.Raw("\",\"timestamp\":"u8); o.Millis(row[0]);
        for (int k = 0; k < schema.ColumnCount; k++)
        {
            var col = schema.Columns[k];
            if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue; // part of trade_id, written as its text
            o.Byte((byte)',');
            o.Raw(quotedNames[k]);
            o.Byte((byte)':');
            if (schema.TextTradeIds && k == TradeColumns.TradeId)
            {
                TradeId(o, schema.TextTradeIds, row[TradeColumns.TradeId], row[TradeColumns.TradeIdLo], row[TradeColumns.Flags], json: true);
                continue;
            }
            switch (col.Kind)
            {
                case ColumnKind.Price:
                case ColumnKind.Quantity:
                case ColumnKind.Decimal:
                    o.Byte((byte)'"'); o.Decimal(row[k], col.Scale); o.Byte((byte)'"');
                    break;
                case ColumnKind.Enum:
                    o.Byte((byte)'"');
                    o.Raw(schema.Kind switch
                    {
                        SchemaKind.Trades => TradeSideText(row[k]),
                        SchemaKind.Deltas => row[k] == (long)BookSide.Bid ? "bid"u8 : row[k] == (long)BookSide.Ask ? "ask"u8 : "unknown"u8,
                        _ => StatusText(row[k]),
                    });
                    o.Byte((byte)'"');
                    break;
                default:
                    o.Long(row[k]);
                    break;
            }
        }
        o.Raw("}\n"u8);
    }

    /// <summary>
    /// The columns a schema without a CSV layout of its own writes, from its layout: by default its values (prices,
    /// quantities, decimals, times other than the row's own, enums); with <c>--full</c> the rest (ids, counts, flags).
    /// </summary>
    public static IEnumerable<int> GenericColumns(SegmentSchema schema, bool full)
    {
        for (int k = 2; k < schema.ColumnCount; k++)
        {
            bool value = schema.Columns[k].Kind is ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal or ColumnKind.Timestamp or ColumnKind.Enum or ColumnKind.Duration;
            if (value != full) yield return k;
        }
    }

    /// <summary>A column's CSV name: times carry their unit (<c>_ns</c>).</summary>
    public static string CsvName(ColumnSpec col) => col.Kind == ColumnKind.Timestamp ? col.Name + "_ns" : col.Name;

    /// <summary>One value as its column's kind says: decimals exact at the column's scale, integers as they are.</summary>
    private static void Value(Utf8Output o, SegmentCursor c, ColumnSpec col, int k)
    {
        if (col.Kind is ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal) o.Decimal(c[k], col.Scale);
        else o.Long(c[k]);
    }

    public static byte[][] QuotedNames(SegmentSchema schema) =>
        schema.Columns.Select(col => Encoding.ASCII.GetBytes("\"" + col.Name + (col.Kind == ColumnKind.Timestamp ? "_ns" : "") + "\"")).ToArray();

    private static void Level(Utf8Output o, SegmentCursor c, int priceColumn, bool present, int ps, int qs)
    {
        o.Byte((byte)',');
        if (present) o.Decimal(c[priceColumn], ps);
        o.Byte((byte)',');
        if (present) o.Decimal(c[priceColumn + 1], qs);
    }

    /// <summary>
    /// The trade id as the exchange sent it (<see cref="TradeIds"/>): digits, a UUID or text; quoted for CSV when it
    /// holds a comma or a quote, always a string in JSON for text-id segments. Invalid stored values print as
    /// <c>invalid</c> (the file was damaged in a way its checksums could not see).
    /// </summary>
    private static void TradeId(Utf8Output o, SegmentCursor c, bool json) =>
        TradeId(o, c.Reader.Schema.TextTradeIds, c[TradeColumns.TradeId], c.Reader.Schema.TextTradeIds ? c[TradeColumns.TradeIdLo] : 0, c[TradeColumns.Flags], json);

    private static void TradeId(Utf8Output o, bool textIds, long id, long idLo, long flags, bool json)
    {
        if (!textIds)
        {
            o.Long(id);
            return;
        }
        Span<byte> text = stackalloc byte[TradeIds.MaxLength];
        int n = TradeIds.Format(id, idLo, flags, text);
        ReadOnlySpan<byte> written = n < 0 ? "invalid"u8 : text[..n];
        bool quote = json || written.IndexOfAny((byte)',', (byte)'"') >= 0;
        if (quote) o.Byte((byte)'"');
        foreach (byte b in written)
        {
            if (b == '"') o.Byte(json ? (byte)'\\' : (byte)'"');
            else if (b == '\\' && json) o.Byte((byte)'\\');
            o.Byte(b);
        }
        if (quote) o.Byte((byte)'"');
    }

    private static void Longs(Utf8Output o, SegmentCursor c, params ReadOnlySpan<int> columns)
    {
        foreach (int k in columns) { o.Byte((byte)','); o.Long(c[k]); }
    }

    public static ReadOnlySpan<byte> TradeSideText(long side) => side switch
    {
        (long)TradeSide.Buy => "buy"u8,
        (long)TradeSide.Sell => "sell"u8,
        _ => "unknown"u8,
    };

    public static ReadOnlySpan<byte> StatusText(long kind) => kind switch
    {
        (long)StatusKind.Connect => "connect"u8,
        (long)StatusKind.Disconnect => "disconnect"u8,
        (long)StatusKind.SequenceGap => "gap"u8,
        (long)StatusKind.Resync => "resync"u8,
        (long)StatusKind.RecorderStart => "recorder_start"u8,
        (long)StatusKind.RecorderStop => "recorder_stop"u8,
        (long)StatusKind.BookInvalid => "book_invalid"u8,
        (long)StatusKind.Damaged => "damaged"u8,
        (long)StatusKind.ScaleChange => "scale_change"u8,
        _ => "unknown"u8,
    };

    private static readonly byte[][] IntervalNames = ["1m"u8.ToArray(), "5m"u8.ToArray(), "15m"u8.ToArray(), "1h"u8.ToArray(), "4h"u8.ToArray(), "1d"u8.ToArray()];
    private static readonly long[] IntervalNanos = [60_000_000_000, 300_000_000_000, 900_000_000_000, 3_600_000_000_000, 14_400_000_000_000, 86_400_000_000_000];

    /// <summary>"1m", "5m", "15m", "1h", "4h", "1d", or "&lt;n&gt;s" / "&lt;n&gt;ns" for other intervals.</summary>
    public static ReadOnlySpan<byte> IntervalText(long ns)
    {
        for (int i = 0; i < IntervalNanos.Length; i++) if (IntervalNanos[i] == ns) return IntervalNames[i];
        return Encoding.ASCII.GetBytes(ns % 1_000_000_000 == 0 ? $"{ns / 1_000_000_000}s" : $"{ns}ns");
    }

    /// <summary>Parses what <see cref="IntervalText"/> writes (and "30s", "2h", ...); false when it is not an interval.</summary>
    public static bool TryParseInterval(ReadOnlySpan<char> text, out long ns)
    {
        ns = 0;
        int i = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i == 0 || !long.TryParse(text[..i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) || n <= 0) return false;
        long unit = text[i..] switch
        {
            "ns" => 1,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            _ => 0,
        };
        if (unit == 0 || n > long.MaxValue / unit) return false;
        ns = n * unit;
        return true;
    }
}
