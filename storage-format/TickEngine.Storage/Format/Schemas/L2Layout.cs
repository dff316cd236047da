namespace TickEngine.Storage.Format;

/// <summary>l2 (schema 2): the top N levels of a book per side, sampled on a grid of exchange time.</summary>
public sealed class L2Layout : SchemaLayout
{
    public override SchemaKind Kind => SchemaKind.L2;
    public override string Name => "l2";
    public override string Meaning => "the book's top N levels per side, sampled on a time grid";
    public override bool HasDepth => true;

    public override void AddColumns(in SchemaOptions o, List<ColumnSpec> cols)
    {
        byte ps = (byte)o.PriceScale, qs = (byte)o.QuantityScale;
        cols.Add(new("update_id", ColumnKind.Id, 0));
        cols.Add(new("bid_count", ColumnKind.Count, 0));
        cols.Add(new("ask_count", ColumnKind.Count, 0));
        cols.Add(new("flags", ColumnKind.Flags, 0));
        for (int i = 1; i <= o.Depth; i++)
        {
            cols.Add(new($"bid_price_{i}", ColumnKind.Price, ps));
            cols.Add(new($"bid_qty_{i}", ColumnKind.Quantity, qs));
        }
        for (int i = 1; i <= o.Depth; i++)
        {
            cols.Add(new($"ask_price_{i}", ColumnKind.Price, ps));
            cols.Add(new($"ask_qty_{i}", ColumnKind.Quantity, qs));
        }
    }

    public override void Check(in SchemaOptions o)
    {
        base.Check(o);
        if (o.Depth is < 1 or > SegmentSchema.MaxDepth) throw new ArgumentOutOfRangeException(nameof(o), $"L2 depth must be 1..{SegmentSchema.MaxDepth}");
    }
}
