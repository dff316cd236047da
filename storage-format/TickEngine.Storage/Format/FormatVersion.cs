namespace TickEngine.Storage.Format;

/// <summary>Version numbers and magics of the segment format (FORMAT.md, "Versioning").</summary>
public static class FormatVersion
{
    /// <summary>Major version written; a reader refuses any other major.</summary>
    public const ushort Major = 1;
    /// <summary>
    /// The newest minor version this reader understands. A writer puts in each file the oldest minor that describes
    /// it (the file's schema, <see cref="SegmentSchema.MinReaderMinor"/>), so a file that uses nothing of 1.1 is
    /// byte-identical to what 1.0 wrote.
    /// </summary>
    public const ushort Minor = 3;
    /// <summary>Major part of the oldest reader version able to read what this writer writes.</summary>
    public const ushort MinReaderMajor = 1;

    /// <summary>Head magic: 0x89 'T' 'K' 'S' 'E' 'G' '\r' '\n'.</summary>
    public static ReadOnlySpan<byte> HeadMagic => [0x89, (byte)'T', (byte)'K', (byte)'S', (byte)'E', (byte)'G', 0x0D, 0x0A];
    /// <summary>Tail magic, the last 8 bytes of a sealed segment: "TKSEGEND".</summary>
    public static ReadOnlySpan<byte> TailMagic => "TKSEGEND"u8;
    /// <summary>Block magic "TKB1".</summary>
    public const uint BlockMagic = 0x31424B54;
    /// <summary>Index magic "TKIX".</summary>
    public const uint IndexMagic = 0x58494B54;
}
