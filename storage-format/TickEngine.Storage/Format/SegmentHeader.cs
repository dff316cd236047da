using System.Buffers.Binary;
using System.Text;

namespace TickEngine.Storage.Format;

/// <summary>
/// The segment header (FORMAT.md, "Segment header"): identity, schema and column descriptors, closed by a
/// CRC-32C. Immutable once built.
/// </summary>
public sealed class SegmentHeader
{
    public const int FixedSize = 96;
    public const int DescriptorSize = 24;
    public const int ExchangeFieldSize = 16;
    public const int SymbolFieldSize = 32;
    public const int DefaultBlockRows = 4096;
    public const int MaxBlockRows = 1 << 20;

    public SegmentHeader(SegmentSchema schema, string exchange, string symbol, long dayStartNs, long createdNs, int blockRows = DefaultBlockRows,
        ushort major = FormatVersion.Major, ushort? minor = null)
    {
        if (blockRows is < 1 or > MaxBlockRows) throw new ArgumentOutOfRangeException(nameof(blockRows), $"block rows must be 1..{MaxBlockRows}");
        CheckText(exchange, ExchangeFieldSize, "exchange");
        CheckText(symbol, SymbolFieldSize, "symbol");
        Schema = schema;
        Exchange = exchange;
        Symbol = symbol;
        DayStartNs = dayStartNs;
        CreatedNs = createdNs;
        BlockRows = blockRows;
        Major = major;
        Minor = minor ?? schema.MinReaderMinor;
    }

    public SegmentSchema Schema { get; }
    public string Exchange { get; }
    public string Symbol { get; }
    public long DayStartNs { get; }
    public long CreatedNs { get; }
    public int BlockRows { get; }
    public ushort Major { get; }
    public ushort Minor { get; }

    /// <summary>Bytes the header takes on disk: the fixed part, the descriptors and the CRC, rounded up to 8.</summary>
    public int Length => (FixedSize + DescriptorSize * Schema.ColumnCount + 4 + 7) & ~7;

    /// <summary>Writes the header, CRC included, into <paramref name="destination"/> (at least <see cref="Length"/> bytes).</summary>
    public void Write(Span<byte> destination)
    {
        int len = Length;
        var d = destination[..len];
        d.Clear();
        FormatVersion.HeadMagic.CopyTo(d);
        BinaryPrimitives.WriteUInt16LittleEndian(d[8..], Major);
        BinaryPrimitives.WriteUInt16LittleEndian(d[10..], Minor);
        BinaryPrimitives.WriteUInt16LittleEndian(d[12..], FormatVersion.MinReaderMajor);
        BinaryPrimitives.WriteUInt16LittleEndian(d[14..], Schema.MinReaderMinor);
        BinaryPrimitives.WriteInt32LittleEndian(d[16..], len);
        BinaryPrimitives.WriteUInt16LittleEndian(d[20..], (ushort)Schema.Kind);
        BinaryPrimitives.WriteUInt16LittleEndian(d[22..], (ushort)Schema.ColumnCount);
        BinaryPrimitives.WriteUInt16LittleEndian(d[24..], (ushort)Schema.Depth);
        BinaryPrimitives.WriteUInt16LittleEndian(d[26..], 0);
        BinaryPrimitives.WriteInt32LittleEndian(d[28..], BlockRows);
        BinaryPrimitives.WriteInt64LittleEndian(d[32..], DayStartNs);
        BinaryPrimitives.WriteInt64LittleEndian(d[40..], CreatedNs);
        Encoding.UTF8.GetBytes(Exchange, d.Slice(48, ExchangeFieldSize));
        Encoding.UTF8.GetBytes(Symbol, d.Slice(64, SymbolFieldSize));
        for (int c = 0; c < Schema.ColumnCount; c++)
        {
            var col = Schema.Columns[c];
            var e = d.Slice(FixedSize + c * DescriptorSize, DescriptorSize);
            Encoding.ASCII.GetBytes(col.Name, e[..16]);
            e[16] = (byte)col.Kind;
            e[17] = col.Scale;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(d[(len - 4)..], Crc32C.Compute(d[..(len - 4)]));
    }

    /// <summary>
    /// Reads and validates a header. Throws <see cref="StorageFormatException"/> naming <paramref name="path"/> and
    /// the offset of the first problem: wrong magic, an unknown major version, a bad checksum, inconsistent columns.
    /// </summary>
    public static SegmentHeader Read(ReadOnlySpan<byte> file, string path)
    {
        if (file.Length == 0) throw new StorageFormatException(path, 0, "the file is empty (0 bytes); a segment starts with a header");
        if (file.Length < 8 || !file[..8].SequenceEqual(FormatVersion.HeadMagic))
            throw new StorageFormatException(path, 0, "not a TickEngine segment (wrong magic at the start of the file)");
        if (file.Length < FixedSize) throw new StorageFormatException(path, file.Length, $"the file ends inside the segment header ({file.Length} of at least {FixedSize} bytes)");
        ushort major = BinaryPrimitives.ReadUInt16LittleEndian(file[8..]);
        ushort minor = BinaryPrimitives.ReadUInt16LittleEndian(file[10..]);
        ushort minReaderMajor = BinaryPrimitives.ReadUInt16LittleEndian(file[12..]);
        ushort minReaderMinor = BinaryPrimitives.ReadUInt16LittleEndian(file[14..]);
        if (major != FormatVersion.Major)
            throw new StorageFormatException(path, 8, $"format version {major}.{minor} is not supported: this reader reads major version {FormatVersion.Major} only; use a newer TickEngine");
        if (minReaderMajor > FormatVersion.Major || (minReaderMajor == FormatVersion.Major && minReaderMinor > FormatVersion.Minor))
            throw new StorageFormatException(path, 12, $"the segment needs a reader of version {minReaderMajor}.{minReaderMinor} or later; this reader is {FormatVersion.Major}.{FormatVersion.Minor}");
        int len = BinaryPrimitives.ReadInt32LittleEndian(file[16..]);
        if (len < FixedSize + 4 || (len & 7) != 0 || len > 1 << 20)
            throw new StorageFormatException(path, 16, $"header length {len} is not valid");
        if (file.Length < len) throw new StorageFormatException(path, file.Length, $"the file ends inside the segment header ({file.Length} of {len} bytes)");
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(file[(len - 4)..]);
        uint actual = Crc32C.Compute(file[..(len - 4)]);
        if (stored != actual) throw new StorageFormatException(path, len - 4, $"header checksum mismatch (stored 0x{stored:X8}, computed 0x{actual:X8})");
        var kind = (SchemaKind)BinaryPrimitives.ReadUInt16LittleEndian(file[20..]);
        int columnCount = BinaryPrimitives.ReadUInt16LittleEndian(file[22..]);
        int depth = BinaryPrimitives.ReadUInt16LittleEndian(file[24..]);
        if (BinaryPrimitives.ReadUInt16LittleEndian(file[26..]) != 0) throw new StorageFormatException(path, 26, "reserved header flags are not zero");
        int blockRows = BinaryPrimitives.ReadInt32LittleEndian(file[28..]);
        if (blockRows is < 1 or > MaxBlockRows) throw new StorageFormatException(path, 28, $"block row limit {blockRows} is not valid");
        long day = BinaryPrimitives.ReadInt64LittleEndian(file[32..]);
        long created = BinaryPrimitives.ReadInt64LittleEndian(file[40..]);
        string exchange = ReadText(file.Slice(48, ExchangeFieldSize));
        string symbol = ReadText(file.Slice(64, SymbolFieldSize));
        if (FixedSize + columnCount * DescriptorSize + 4 > len) throw new StorageFormatException(path, 22, $"column count {columnCount} does not fit the header");
        if (SchemaLayouts.Of(kind) is null) throw new StorageFormatException(path, 20, $"unknown schema id {(int)kind}");
        // Scales come from the first price and quantity columns; every column must then match the schema exactly.
        int priceScale = SegmentSchema.DefaultScale, qtyScale = SegmentSchema.DefaultScale;
        for (int c = 0; c < columnCount; c++)
        {
            var e = file.Slice(FixedSize + c * DescriptorSize, DescriptorSize);
            if ((ColumnKind)e[16] == ColumnKind.Price) { priceScale = e[17]; break; }
        }
        for (int c = 0; c < columnCount; c++)
        {
            var e = file.Slice(FixedSize + c * DescriptorSize, DescriptorSize);
            if ((ColumnKind)e[16] == ColumnKind.Quantity) { qtyScale = e[17]; break; }
        }
        int decimalScale = -1;
        for (int c = 0; c < columnCount; c++)
        {
            var e = file.Slice(FixedSize + c * DescriptorSize, DescriptorSize);
            if ((ColumnKind)e[16] == ColumnKind.Decimal) { decimalScale = e[17]; break; }
        }
        if (priceScale > 18 || qtyScale > 18 || decimalScale > 18) throw new StorageFormatException(path, FixedSize, "decimal scale above 18");
        SegmentSchema schema;
        // Format 1.1: a trades segment with one column more holds ids of any form (it must say it needs 1.1).
        bool textIds = kind == SchemaKind.Trades && columnCount == TradeColumns.CountWithTextIds;
        if (textIds && (minReaderMajor, minReaderMinor) != (1, 1))
            throw new StorageFormatException(path, 12, $"a trades segment with text trade ids must need a 1.1 reader; it says {minReaderMajor}.{minReaderMinor}");
        try { schema = SegmentSchema.Create(kind, depth == 0 ? SegmentSchema.DefaultDepth : depth, priceScale, qtyScale, textIds, decimalScale); }
        catch (ArgumentOutOfRangeException e) { throw new StorageFormatException(path, 24, e.Message); }
        if (schema.ColumnCount != columnCount) throw new StorageFormatException(path, 22, $"schema {schema.Name} has {schema.ColumnCount} columns, the header says {columnCount}");
        for (int c = 0; c < columnCount; c++)
        {
            int at = FixedSize + c * DescriptorSize;
            var e = file.Slice(at, DescriptorSize);
            var spec = schema.Columns[c];
            if (ReadText(e[..16]) != spec.Name || (ColumnKind)e[16] != spec.Kind || e[17] != spec.Scale)
                throw new StorageFormatException(path, at, $"column {c} is '{ReadText(e[..16])}' (kind {e[16]}, scale {e[17]}); schema {schema.Name} expects '{spec.Name}' (kind {(int)spec.Kind}, scale {spec.Scale})");
            for (int r = 18; r < DescriptorSize; r++)
                if (e[r] != 0) throw new StorageFormatException(path, at + r, "reserved descriptor bytes are not zero");
        }
        return new SegmentHeader(schema, exchange, symbol, day, created, blockRows, major, minor);
    }

    /// <summary>Reads and validates the header of the segment file at <paramref name="path"/> (only the header's bytes are read).</summary>
    public static SegmentHeader ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists) throw new StorageFormatException(path, -1, "no such file");
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var head = new byte[(int)Math.Min(fs.Length, FixedSize)];
        fs.ReadExactly(head);
        if (head.Length < FixedSize) return Read(head, path); // names what is wrong with a short file
        int len = BinaryPrimitives.ReadInt32LittleEndian(head.AsSpan(16));
        if (len < FixedSize || len > 1 << 20 || len > fs.Length) return Read(head, path);
        var all = new byte[len];
        fs.Position = 0;
        fs.ReadExactly(all);
        return Read(all, path);
    }

    /// <summary>True when a segment of this header may receive rows meant for <paramref name="other"/>.</summary>
    public bool IsCompatibleWith(SegmentHeader other) =>
        Schema.Kind == other.Schema.Kind && Schema.Depth == other.Schema.Depth && Schema.PriceScale == other.Schema.PriceScale &&
        Schema.QuantityScale == other.Schema.QuantityScale && Schema.TextTradeIds == other.Schema.TextTradeIds && Schema.DecimalScale == other.Schema.DecimalScale &&
        Exchange == other.Exchange && Symbol == other.Symbol && DayStartNs == other.DayStartNs;

    private static void CheckText(string text, int max, string what)
    {
        if (Encoding.UTF8.GetByteCount(text) > max) throw new ArgumentException($"{what} '{text}' is longer than {max} UTF-8 bytes");
        if (text.Contains('\0')) throw new ArgumentException($"{what} contains a NUL character");
    }

    private static string ReadText(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}
