namespace TickEngine.Storage.Format;

/// <summary>trades (schema 1): one row per trade; since 1.1 ids of any form in a second id column (FORMAT.md 6.1).</summary>
public sealed class TradesLayout : SchemaLayout
{
    public override SchemaKind Kind => SchemaKind.Trades;
    public override string Name => "trades";
    public override string Meaning => "one row per trade: id, price, quantity, aggressor side";

    public override void AddColumns(in SchemaOptions o, List<ColumnSpec> cols)
    {
        cols.Add(new("trade_id", ColumnKind.Id, 0));
        cols.Add(new("price", ColumnKind.Price, (byte)o.PriceScale));
        cols.Add(new("quantity", ColumnKind.Quantity, (byte)o.QuantityScale));
        cols.Add(new("side", ColumnKind.Enum, 0));
        cols.Add(new("flags", ColumnKind.Flags, 0));
        if (o.TextTradeIds) cols.Add(new("trade_id_lo", ColumnKind.Id, 0));
    }

    public override ushort MinReaderMinor(in SchemaOptions o) => o.TextTradeIds ? (ushort)1 : (ushort)0;

    public override void Check(in SchemaOptions o) { }
}
