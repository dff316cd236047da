namespace TickEngine.Storage.Format;

/// <summary>Offsets of the block header, index and footer (FORMAT.md, "Block", "Index", "Footer").</summary>
public static class BlockLayout
{
    public const int MagicOffset = 0;
    /// <summary>The commit word: total block bytes, written last with release semantics.</summary>
    public const int LengthOffset = 4;
    public const int CrcOffset = 8;
    /// <summary>The CRC-32C covers the block from here to its end.</summary>
    public const int CrcStart = 12;
    public const int RowsOffset = 12;
    public const int ColumnsOffset = 16;
    public const int ReservedOffset = 20;
    public const int FirstRowOffset = 24;
    public const int MinExchangeTimeOffset = 32;
    public const int MaxExchangeTimeOffset = 40;
    public const int MinReceiveTimeOffset = 48;
    public const int MaxReceiveTimeOffset = 56;
    public const int FixedHeaderSize = 64;

    /// <summary>Header bytes of a block with <paramref name="columns"/> columns.</summary>
    public static int HeaderSize(int columns) => FixedHeaderSize + columns * Compression.ColumnEncoding.Size;

    public const int IndexHeaderSize = 8;
    public const int IndexEntrySize = 56;
    public const int FooterSize = 32;
}
