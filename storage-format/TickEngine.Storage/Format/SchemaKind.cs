namespace TickEngine.Storage.Format;

/// <summary>The row schemas a segment can hold (FORMAT.md, "Schemas"). The numeric value is stored in the header.</summary>
public enum SchemaKind : ushort
{
    Trades = 1,
    L2 = 2,
    Bars = 3,
    Deltas = 4,
    Status = 5,
}
