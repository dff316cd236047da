namespace TickEngine.Storage.Format;

/// <summary>status (schema 5): session, gap, resync, invalid-book and scale-change markers.</summary>
public sealed class StatusLayout : SchemaLayout
{
    public override SchemaKind Kind => SchemaKind.Status;
    public override string Name => "status";
    public override string Meaning => "session and gap markers (connect, disconnect, gap, resync, book invalid, scale change)";

    public override void AddColumns(in SchemaOptions o, List<ColumnSpec> cols)
    {
        cols.Add(new("kind", ColumnKind.Enum, 0));
        cols.Add(new("a", ColumnKind.Id, 0));
        cols.Add(new("b", ColumnKind.Id, 0));
        cols.Add(new("flags", ColumnKind.Flags, 0));
    }
}
