using System.Buffers.Binary;

namespace TickEngine.Storage.Compression;

/// <summary>How the integers are laid out in bits (FORMAT.md, "Packing").</summary>
public enum ColumnPacking : byte
{
    /// <summary>Every value in Width1 bits.</summary>
    BitPacked = 0,
    /// <summary>A one-bit-per-value class map, then the small values in Width1 bits, then the large ones in Width2 bits.</summary>
    TwoClass = 1,
}
