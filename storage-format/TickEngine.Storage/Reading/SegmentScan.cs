using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TickEngine.Storage.Format;

namespace TickEngine.Storage.Reading;

/// <summary>
/// Finds the committed blocks of a segment (FORMAT.md, "Reading a segment"): from the index when the segment is
/// sealed and its footer is intact, otherwise by walking the block chain from the header. What it could not
/// account for is listed in <see cref="Problems"/>; rows are only ever taken from blocks it found.
/// </summary>
internal sealed class SegmentScan
{
    public List<BlockInfo> Blocks { get; } = new();
    public List<StorageFormatException> Problems { get; } = new();
    /// <summary>Offset just past the last committed block (where a writer appends next).</summary>
    public long End { get; private set; }
    public bool Sealed { get; private set; }
    public long TotalRows { get; private set; }

    /// <summary>Walks the chain from <paramref name="start"/> (a block boundary) and appends what it finds.</summary>
    public void ScanChain(ReadOnlySpan<byte> file, SegmentHeader header, string path, long start, long firstRow)
    {
        int columns = header.Schema.ColumnCount;
        int minLength = BlockLayout.HeaderSize(columns);
        long pos = start;
        long row = firstRow;
        while (true)
        {
            if (pos + BlockLayout.FixedHeaderSize > file.Length)
            {
                if (pos < file.Length && !IsZero(file[(int)pos..]))
                    Problems.Add(new StorageFormatException(path, pos, $"the file ends inside a block header ({file.Length - pos} trailing bytes)"));
                break;
            }
            var at = file[(int)pos..];
            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(at);
            if (magic != FormatVersion.BlockMagic)
            {
                // Zeros: the preallocated tail of an unsealed segment. The index magic: a seal that did not finish.
                if (magic != 0 && magic != FormatVersion.IndexMagic)
                    Problems.Add(new StorageFormatException(path, pos, $"expected a block (magic TKB1) but found 0x{magic:X8}"));
                break;
            }
            int length = Volatile.Read(ref Unsafe.As<byte, int>(ref MemoryMarshal.GetReference(at[BlockLayout.LengthOffset..])));
            if (length == 0) break; // written but not committed: not part of the segment
            if (length < minLength || (length & 7) != 0)
            {
                Problems.Add(new StorageFormatException(path, pos + BlockLayout.LengthOffset, $"block length {length} is not valid (at least {minLength}, a multiple of 8)"));
                break;
            }
            if (pos + length > file.Length)
            {
                Problems.Add(new StorageFormatException(path, pos, $"truncated: the block here needs {length} bytes but the file ends at offset {file.Length}"));
                break;
            }
            int rows = BinaryPrimitives.ReadInt32LittleEndian(at[BlockLayout.RowsOffset..]);
            int cols = BinaryPrimitives.ReadInt32LittleEndian(at[BlockLayout.ColumnsOffset..]);
            if (rows < 1 || rows > header.BlockRows || cols != columns)
            {
                Problems.Add(new StorageFormatException(path, pos, $"block header says {rows} rows and {cols} columns; the segment allows 1..{header.BlockRows} rows of {columns} columns"));
                break;
            }
            var info = ReadInfo(at, pos, length, rows);
            if (info.FirstRow != row)
            {
                // Each block names the row it starts at: a block out of its place (swapped, copied, or after a
                // lost one) is damage, not rows.
                Problems.Add(new StorageFormatException(path, pos + BlockLayout.FirstRowOffset, $"the block here starts at row {info.FirstRow}, but {row} rows precede it (a block out of order or missing)"));
                break;
            }
            Blocks.Add(info);
            row += rows;
            pos += length;
        }
        End = pos;
        TotalRows = row;
    }

    /// <summary>Reads the blocks of a sealed segment from its index; returns false (and scans nothing) when there is no intact footer.</summary>
    public bool TryReadIndex(ReadOnlySpan<byte> file, SegmentHeader header, string path)
    {
        int len = file.Length;
        if (len < header.Length + BlockLayout.FooterSize || !file[(len - 8)..].SequenceEqual(FormatVersion.TailMagic)) return false;
        int footer = len - BlockLayout.FooterSize;
        long indexOffset = BinaryPrimitives.ReadInt64LittleEndian(file[footer..]);
        long totalRows = BinaryPrimitives.ReadInt64LittleEndian(file[(footer + 8)..]);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(file[(footer + 16)..]);
        uint crc = BinaryPrimitives.ReadUInt32LittleEndian(file[(footer + 20)..]);
        if (indexOffset < header.Length || indexOffset > footer - BlockLayout.IndexHeaderSize ||
            (long)count * BlockLayout.IndexEntrySize + BlockLayout.IndexHeaderSize != footer - indexOffset)
        {
            Problems.Add(new StorageFormatException(path, footer, "the footer's index offset or block count is not consistent with the file size"));
            return false;
        }
        uint actual = Crc32C.Compute(file[(int)indexOffset..(footer + 20)]);
        if (actual != crc)
        {
            Problems.Add(new StorageFormatException(path, footer + 20, $"index checksum mismatch (stored 0x{crc:X8}, computed 0x{actual:X8})"));
            return false;
        }
        var index = file[(int)indexOffset..footer];
        if (BinaryPrimitives.ReadUInt32LittleEndian(index) != FormatVersion.IndexMagic || BinaryPrimitives.ReadUInt32LittleEndian(index[4..]) != count)
        {
            Problems.Add(new StorageFormatException(path, indexOffset, "index magic or count is wrong"));
            return false;
        }
        long expectedOffset = header.Length, row = 0;
        for (int i = 0; i < count; i++)
        {
            var e = index.Slice(BlockLayout.IndexHeaderSize + i * BlockLayout.IndexEntrySize, BlockLayout.IndexEntrySize);
            var info = new BlockInfo(
                BinaryPrimitives.ReadInt64LittleEndian(e),
                BinaryPrimitives.ReadInt32LittleEndian(e[8..]),
                BinaryPrimitives.ReadInt32LittleEndian(e[12..]),
                BinaryPrimitives.ReadInt64LittleEndian(e[16..]),
                BinaryPrimitives.ReadInt64LittleEndian(e[24..]),
                BinaryPrimitives.ReadInt64LittleEndian(e[32..]),
                BinaryPrimitives.ReadInt64LittleEndian(e[40..]),
                BinaryPrimitives.ReadInt64LittleEndian(e[48..]));
            if (info.Offset != expectedOffset || info.FirstRow != row || info.Rows < 1 || info.Rows > header.BlockRows || info.Length < BlockLayout.HeaderSize(header.Schema.ColumnCount) ||
                info.Offset + info.Length > indexOffset)
            {
                Problems.Add(new StorageFormatException(path, indexOffset + BlockLayout.IndexHeaderSize + i * BlockLayout.IndexEntrySize, $"index entry {i} does not match the block chain"));
                Blocks.Clear();
                return false;
            }
            // The block there must be the one the entry names (a block moved, say, keeps its own CRC).
            var at = file[(int)info.Offset..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(at) != FormatVersion.BlockMagic || BinaryPrimitives.ReadInt32LittleEndian(at[BlockLayout.LengthOffset..]) != info.Length ||
                BinaryPrimitives.ReadInt32LittleEndian(at[BlockLayout.RowsOffset..]) != info.Rows || BinaryPrimitives.ReadInt64LittleEndian(at[BlockLayout.FirstRowOffset..]) != info.FirstRow)
            {
                Problems.Add(new StorageFormatException(path, info.Offset, $"index entry {i} names a block of {info.Rows} rows from row {info.FirstRow} here, and the block here is not that one"));
                Blocks.Clear();
                return false;
            }
            Blocks.Add(info);
            expectedOffset += info.Length;
            row += info.Rows;
        }
        if (expectedOffset != indexOffset || row != totalRows)
        {
            Problems.Add(new StorageFormatException(path, footer, "the index does not cover the blocks up to the index exactly"));
            Blocks.Clear();
            return false;
        }
        End = indexOffset;
        TotalRows = totalRows;
        Sealed = true;
        return true;
    }

    /// <summary>Index first; the chain when there is no intact index.</summary>
    public static SegmentScan Run(ReadOnlySpan<byte> file, SegmentHeader header, string path)
    {
        var scan = new SegmentScan();
        if (!scan.TryReadIndex(file, header, path)) scan.ScanChain(file, header, path, header.Length, 0);
        return scan;
    }

    internal static BlockInfo ReadInfo(ReadOnlySpan<byte> at, long pos, int length, int rows) => new(
        pos, length, rows,
        BinaryPrimitives.ReadInt64LittleEndian(at[BlockLayout.FirstRowOffset..]),
        BinaryPrimitives.ReadInt64LittleEndian(at[BlockLayout.MinExchangeTimeOffset..]),
        BinaryPrimitives.ReadInt64LittleEndian(at[BlockLayout.MaxExchangeTimeOffset..]),
        BinaryPrimitives.ReadInt64LittleEndian(at[BlockLayout.MinReceiveTimeOffset..]),
        BinaryPrimitives.ReadInt64LittleEndian(at[BlockLayout.MaxReceiveTimeOffset..]));

    private static bool IsZero(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExcept((byte)0) < 0;
}
