namespace TickEngine.Storage.Format;

/// <summary>
/// funding (schema 7, 1.3): a perpetual's funding rate (a decimal column with its own scale: a rate is not a price),
/// the time of the next funding, and the mark and index prices, one row per update the exchange sends.
/// </summary>
public sealed class FundingLayout : SchemaLayout
{
    public override SchemaKind Kind => SchemaKind.Funding;
    public override string Name => "funding";
    public override string Meaning => "a perpetual's funding rate, next funding time, mark and index price";
    public override int DefaultDecimalScale => 10;

    public override void AddColumns(in SchemaOptions o, List<ColumnSpec> cols)
    {
        byte ps = (byte)o.PriceScale;
        cols.Add(new("funding_rate", ColumnKind.Decimal, (byte)o.DecimalScale));
        cols.Add(new("next_funding", ColumnKind.Timestamp, 0));
        cols.Add(new("mark_price", ColumnKind.Price, ps));
        cols.Add(new("index_price", ColumnKind.Price, ps));
        cols.Add(new("flags", ColumnKind.Flags, 0));
    }

    public override ushort MinReaderMinor(in SchemaOptions o) => 3;
}
