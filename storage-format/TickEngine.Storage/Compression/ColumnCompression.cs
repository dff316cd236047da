using System.Buffers.Binary;

namespace TickEngine.Storage.Compression;

/// <summary>Whether the packed bytes were LZ4-compressed (FORMAT.md, "Compression").</summary>
public enum ColumnCompression : byte
{
    None = 0,
    Lz4 = 1,
}
