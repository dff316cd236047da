namespace TickEngine.Storage.Format;

/// <summary>deltas (schema 4): every level change of a book, snapshots included, so the full book can be rebuilt.</summary>
public sealed class DeltasLayout : SchemaLayout
{
    public override SchemaKind Kind => SchemaKind.Deltas;
    public override string Name => "deltas";
    public override string Meaning => "every level change of the book (snapshots included): the full book at any instant";

    public override void AddColumns(in SchemaOptions o, List<ColumnSpec> cols)
    {
        cols.Add(new("first_update_id", ColumnKind.Id, 0));
        cols.Add(new("last_update_id", ColumnKind.Id, 0));
        cols.Add(new("side", ColumnKind.Enum, 0));
        cols.Add(new("price", ColumnKind.Price, (byte)o.PriceScale));
        cols.Add(new("quantity", ColumnKind.Quantity, (byte)o.QuantityScale));
        cols.Add(new("flags", ColumnKind.Flags, 0));
    }
}
