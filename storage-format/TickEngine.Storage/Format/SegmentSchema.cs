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

    private SegmentSchema(SchemaLayout layout, SchemaOptions options, ColumnSpec[] columns)
    {
        Layout = layout;
        Kind = layout.Kind;
        Depth = layout.HasDepth ? options.Depth : 0;
        PriceScale = options.PriceScale;
        QuantityScale = options.QuantityScale;
        TextTradeIds = options.TextTradeIds;
        DecimalScale = options.DecimalScale;
        Columns = columns;
        MinReaderMinor = layout.MinReaderMinor(options);
    }

    /// <summary>The schema's definition.</summary>
    public SchemaLayout Layout { get; }
    public SchemaKind Kind { get; }
    /// <summary>L2 levels per side; 0 for other schemas.</summary>
    public int Depth { get; }
    public int PriceScale { get; }
    public int QuantityScale { get; }
    /// <summary>The scale of the schema's <see cref="ColumnKind.Decimal"/> columns (1.3), -1 when it has none.</summary>
    public int DecimalScale { get; }
    public IReadOnlyList<ColumnSpec> Columns { get; }
    public int ColumnCount => Columns.Count;

    /// <summary>
    /// Trades (format 1.1): ids of any form (<see cref="TradeIds"/>), with the column <c>trade_id_lo</c> after
    /// <c>flags</c>. A segment of such a schema needs a 1.1 reader.
    /// </summary>
    public bool TextTradeIds { get; }

    /// <summary>The format minor version a file of this schema needs (1 for text trade ids, 3 for quotes and funding, else 0).</summary>
    public ushort MinReaderMinor { get; }

    /// <summary>The lower-case name used in paths and on the command line ("trades", "l2", ...).</summary>
    public string Name => Layout.Name;

    /// <summary>The index of a column by name, or -1.</summary>
    public int IndexOf(string name)
    {
        for (int i = 0; i < Columns.Count; i++) if (Columns[i].Name == name) return i;
        return -1;
    }

    public static string NameOf(SchemaKind kind) => SchemaLayouts.Of(kind)?.Name ?? $"schema{(int)kind}";

    public static bool TryParseName(string name, out SchemaKind kind)
    {
        var layout = SchemaLayouts.Find(name);
        kind = layout?.Kind ?? default;
        return layout is not null;
    }

    /// <summary>Builds the schema of <paramref name="kind"/> from its layout.</summary>
    /// <param name="textTradeIds">Trades only: ids of any form, in two columns (format 1.1).</param>
    /// <param name="decimalScale">The scale of the schema's decimal columns (funding's rate); -1: the layout's default.</param>
    public static SegmentSchema Create(SchemaKind kind, int depth = DefaultDepth, int priceScale = DefaultScale, int quantityScale = DefaultScale, bool textTradeIds = false,
        int decimalScale = -1)
    {
        var layout = SchemaLayouts.Of(kind) ?? throw new ArgumentOutOfRangeException(nameof(kind), $"unknown schema {(int)kind}");
        if (priceScale is < 0 or > 18) throw new ArgumentOutOfRangeException(nameof(priceScale), "scale must be 0..18");
        if (quantityScale is < 0 or > 18) throw new ArgumentOutOfRangeException(nameof(quantityScale), "scale must be 0..18");
        if (decimalScale < 0) decimalScale = layout.DefaultDecimalScale;
        if (decimalScale > 18) throw new ArgumentOutOfRangeException(nameof(decimalScale), "scale must be 0..18");
        var options = new SchemaOptions(layout.HasDepth ? depth : 0, priceScale, quantityScale, textTradeIds, decimalScale);
        layout.Check(options);
        var cols = new List<ColumnSpec>
        {
            new("exchange_time", ColumnKind.Timestamp, 0),
            new("receive_time", ColumnKind.Timestamp, 0),
        };
        layout.AddColumns(options, cols);
        return new SegmentSchema(layout, options, cols.ToArray());
    }

    /// <summary>Column indices shared by schemas.</summary>
    public const int ExchangeTime = 0;
    public const int ReceiveTime = 1;
}
