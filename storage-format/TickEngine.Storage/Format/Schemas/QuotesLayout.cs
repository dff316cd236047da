namespace TickEngine.Storage.Format;

/// <summary>quotes (schema 6, 1.3): the best bid and ask (L1) as the exchange states them, one row per quote.</summary>
public sealed class QuotesLayout : SchemaLayout
{
    public override SchemaKind Kind => SchemaKind.Quotes;
    public override string Name => "quotes";
    public override IReadOnlyList<string> Aliases => ["l1", "bbo"];
    public override string Meaning => "the best bid and ask (price and size) as the exchange states them (L1)";

    public override void AddColumns(in SchemaOptions o, List<ColumnSpec> cols)
    {
        byte ps = (byte)o.PriceScale, qs = (byte)o.QuantityScale;
        cols.Add(new("update_id", ColumnKind.Id, 0));
        cols.Add(new("bid_price", ColumnKind.Price, ps));
        cols.Add(new("bid_qty", ColumnKind.Quantity, qs));
        cols.Add(new("ask_price", ColumnKind.Price, ps));
        cols.Add(new("ask_qty", ColumnKind.Quantity, qs));
        cols.Add(new("flags", ColumnKind.Flags, 0));
    }

    public override ushort MinReaderMinor(in SchemaOptions o) => 3;
}
