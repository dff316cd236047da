namespace TickEngine.Storage.Format;

/// <summary>bars (schema 3): OHLCV bars of trades per interval.</summary>
public sealed class BarsLayout : SchemaLayout
{
    public override SchemaKind Kind => SchemaKind.Bars;
    public override string Name => "bars";
    public override IReadOnlyList<string> Aliases => ["ohlcv"];
    public override string Meaning => "OHLCV bars of the trades (1m, 5m, 15m, 1h, 4h, 1d)";

    public override void AddColumns(in SchemaOptions o, List<ColumnSpec> cols)
    {
        byte ps = (byte)o.PriceScale, qs = (byte)o.QuantityScale;
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
    }
}
