namespace TickEngine.Storage.Format;

/// <summary>
/// The ordered columns of a schema (FORMAT.md, "Schemas"). Column 0 is always <c>exchange_time</c> and column 1
/// <c>receive_time</c>. Immutable; thread-safe.
/// </summary>
public sealed class SegmentSchema
{
    /// <summary>Default decimal scale of prices and quantities (8 decimals, as Binance sends them).</summary>
    public const int DefaultScale = 8;
    /// <summary>Default number of L2 levels per side.</summary>
    public const int DefaultDepth = 5;
    /// <summary>Most L2 levels per side.</summary>
    public const int MaxDepth = 50;

    private SegmentSchema(SchemaKind kind, int depth, int priceScale, int quantityScale, ColumnSpec[] columns, bool textTradeIds)
    {
        TextTradeIds = textTradeIds;
        Kind = kind;
        Depth = depth;
        PriceScale = priceScale;
        QuantityScale = quantityScale;
        Columns = columns;
    }

    public SchemaKind Kind { get; }
    /// <summary>L2 levels per side; 0 for other schemas.</summary>
    public int Depth { get; }
    public int PriceScale { get; }
    public int QuantityScale { get; }
    public IReadOnlyList<ColumnSpec> Columns { get; }
    public int ColumnCount => Columns.Count;

    /// <summary>
    /// Trades (format 1.1): ids of any form (<see cref="TradeIds"/>), with the column <c>trade_id_lo</c> after
    /// <c>flags</c>. A segment of such a schema needs a 1.1 reader.
    /// </summary>
    public bool TextTradeIds { get; }

    /// <summary>The format minor version a file of this schema needs: 1 for text trade ids, else 0.</summary>
    public ushort MinReaderMinor => TextTradeIds ? (ushort)1 : (ushort)0;

    /// <summary>The lower-case name used in paths and on the command line ("trades", "l2", ...).</summary>
    public string Name => NameOf(Kind);

    /// <summary>The index of a column by name, or -1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Columns.Count; i++) if (Columns[i].Name == name) return i;
        return -1;
    }

    public static string NameOf(SchemaKind kind) => kind switch
    {
        SchemaKind.Trades => "trades",
        SchemaKind.L2 => "l2",
        SchemaKind.Bars => "bars",
        SchemaKind.Deltas => "deltas",
        SchemaKind.Status => "status",
        _ => $"schema{(int)kind}",
    };

    public static bool TryParseName(string name, out SchemaKind kind)
    {
        switch (name.ToLowerInvariant())
        {
            case "trades": kind = SchemaKind.Trades; return true;
            case "l2": kind = SchemaKind.L2; return true;
            case "bars": case "ohlcv": kind = SchemaKind.Bars; return true;
            case "deltas": kind = SchemaKind.Deltas; return true;
            case "status": kind = SchemaKind.Status; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>Builds the schema of <paramref name="kind"/>.</summary>
    /// <param name="textTradeIds">Trades only: ids of any form, in two columns (format 1.1).</param>
    public static SegmentSchema Create(SchemaKind kind, int depth = DefaultDepth, int priceScale = DefaultScale, int quantityScale = DefaultScale, bool textTradeIds = false)
    {
        if (textTradeIds && kind != SchemaKind.Trades) throw new ArgumentOutOfRangeException(nameof(textTradeIds), "text trade ids belong to the trades schema");
        if (priceScale is < 0 or > 18) throw new ArgumentOutOfRangeException(nameof(priceScale), "scale must be 0..18");
        if (quantityScale is < 0 or > 18) throw new ArgumentOutOfRangeException(nameof(quantityScale), "scale must be 0..18");
        byte ps = (byte)priceScale, qs = (byte)quantityScale;
        var cols = new List<ColumnSpec>
        {
            new("exchange_time", ColumnKind.Timestamp, 0),
            new("receive_time", ColumnKind.Timestamp, 0),
        };
        switch (kind)
        {
            case SchemaKind.Trades:
                depth = 0;
                cols.Add(new("trade_id", ColumnKind.Id, 0));
                cols.Add(new("price", ColumnKind.Price, ps));
                cols.Add(new("quantity", ColumnKind.Quantity, qs));
                cols.Add(new("side", ColumnKind.Enum, 0));
                cols.Add(new("flags", ColumnKind.Flags, 0));
                if (textTradeIds) cols.Add(new("trade_id_lo", ColumnKind.Id, 0));
                break;
            case SchemaKind.L2:
                if (depth is < 1 or > MaxDepth) throw new ArgumentOutOfRangeException(nameof(depth), $"L2 depth must be 1..{MaxDepth}");
                cols.Add(new("update_id", ColumnKind.Id, 0));
                cols.Add(new("bid_count", ColumnKind.Count, 0));
                cols.Add(new("ask_count", ColumnKind.Count, 0));
                cols.Add(new("flags", ColumnKind.Flags, 0));
                for (int i = 1; i <= depth; i++)
                {
                    cols.Add(new($"bid_price_{i}", ColumnKind.Price, ps));
                    cols.Add(new($"bid_qty_{i}", ColumnKind.Quantity, qs));
                }
                for (int i = 1; i <= depth; i++)
                {
                    cols.Add(new($"ask_price_{i}", ColumnKind.Price, ps));
                    cols.Add(new($"ask_qty_{i}", ColumnKind.Quantity, qs));
                }
                break;
            case SchemaKind.Bars:
                depth = 0;
                cols.Add(new("interval", ColumnKind.Duration, 0));
                cols.Add(new("open", ColumnKind.Price, ps));
                cols.Add(new("high", ColumnKind.Price, ps));
                cols.Add(new("low", ColumnKind.Price, ps));
                cols.Add(new("close", ColumnKind.Price, ps));
                cols.Add(new("volume", ColumnKind.Quantity, qs));
                cols.Add(new("buy_volume", ColumnKind.Quantity, qs));
                cols.Add(new("trade_count", ColumnKind.Count, 0));
                cols.Add(new("first_trade_id", ColumnKind.Id, 0));
                cols.Add(new("last_trade_id", ColumnKind.Id, 0));
                cols.Add(new("flags", ColumnKind.Flags, 0));
                break;
            case SchemaKind.Deltas:
                depth = 0;
                cols.Add(new("first_update_id", ColumnKind.Id, 0));
                cols.Add(new("last_update_id", ColumnKind.Id, 0));
                cols.Add(new("side", ColumnKind.Enum, 0));
                cols.Add(new("price", ColumnKind.Price, ps));
                cols.Add(new("quantity", ColumnKind.Quantity, qs));
                cols.Add(new("flags", ColumnKind.Flags, 0));
                break;
            case SchemaKind.Status:
                depth = 0;
                cols.Add(new("kind", ColumnKind.Enum, 0));
                cols.Add(new("a", ColumnKind.Id, 0));
                cols.Add(new("b", ColumnKind.Id, 0));
                cols.Add(new("flags", ColumnKind.Flags, 0));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), $"unknown schema {(int)kind}");
        }
        return new SegmentSchema(kind, depth, priceScale, quantityScale, cols.ToArray(), textTradeIds);
    }

    /// <summary>Column indices shared by schemas.</summary>
    public const int ExchangeTime = 0;
    public const int ReceiveTime = 1;
}
