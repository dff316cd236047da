namespace TickEngine.Storage.Format;

/// <summary>What a column's int64 values mean (FORMAT.md, "Column descriptor").</summary>
public enum ColumnKind : byte
{
    /// <summary>Nanoseconds since the Unix epoch, UTC.</summary>
    Timestamp = 1,
    /// <summary>A price mantissa; value = mantissa x 10^-scale.</summary>
    Price = 2,
    /// <summary>A quantity mantissa; value = mantissa x 10^-scale.</summary>
    Quantity = 3,
    /// <summary>An exchange identifier (trade id, update id).</summary>
    Id = 4,
    /// <summary>A small enumeration (side, status kind).</summary>
    Enum = 5,
    /// <summary>A bit set of <see cref="RowFlags"/>.</summary>
    Flags = 6,
    /// <summary>A count (levels present, trades in a bar).</summary>
    Count = 7,
    /// <summary>A duration in nanoseconds.</summary>
    Duration = 8,
    /// <summary>
    /// A decimal that is neither a price nor a quantity (a funding rate, 1.3): value = mantissa x 10^-scale, at the
    /// column's own scale.
    /// </summary>
    Decimal = 9,
}
