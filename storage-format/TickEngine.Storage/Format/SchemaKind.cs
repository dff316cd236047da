namespace TickEngine.Storage.Format;

/// <summary>The row schemas a segment can hold (FORMAT.md, "Schemas"). The numeric value is stored in the header; each is defined by its <see cref="SchemaLayout"/>.</summary>
public enum SchemaKind : ushort
{
    Trades = 1,
    L2 = 2,
    Bars = 3,
    Deltas = 4,
    Status = 5,
    /// <summary>Best bid and ask (1.3).</summary>
    Quotes = 6,
    /// <summary>Funding rate, next funding time, mark and index price (1.3).</summary>
    Funding = 7,
}
