using System.Buffers.Binary;
using System.IO.MemoryMappedFiles;
using TickEngine.Storage.Compression;
using TickEngine.Storage.Format;

namespace TickEngine.Storage.Reading;

/// <summary>
/// Reads a segment through a read-only memory mapping, decoding blocks on demand (FORMAT.md, "Reading a segment").
/// Works on sealed segments, on segments a crashed writer left, and on segments a writer is still appending to
/// (<see cref="Refresh"/> picks up new blocks). Every block's checksum is verified before any of its rows is
/// returned. One thread per reader.
/// </summary>
public sealed unsafe partial class SegmentReader : IDisposable
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int MAdvise(nint address, nuint length, int advice);

    private const int MadvDontNeed = 4;
    private static readonly long PageSize = Environment.SystemPageSize;

    static SegmentReader()
    {
        // Bind madvise now (a zero-length call is a no-op), not on the first release in a hot loop.
        if (OperatingSystem.IsLinux()) MAdvise(0, 0, 0);
    }

    private readonly FileStream _file;
    private readonly ColumnCodec _codec;
    private MemoryMappedFile? _map;
    private MemoryMappedViewAccessor? _view;
    private byte* _base;
    private long _length;
    private SegmentScan _scan;

    private SegmentReader(string path, FileStream file)
    {
        Path = path;
        _file = file;
        _length = file.Length;
        if (_length == 0) throw new StorageFormatException(path, 0, "the file is empty (0 bytes); a segment starts with a header");
        if (_length > int.MaxValue) throw new StorageFormatException(path, 0, "segments above 2 GiB are not supported by this version");
        Map();
        try
        {
            Header = SegmentHeader.Read(Bytes, path);
            _codec = new ColumnCodec(Header.BlockRows);
            _scan = Scan();
        }
        catch
        {
            // A file refused here must not leave its mapping behind: a tool that walks a damaged data root
            // would otherwise hold one mapping per bad file until the finalizer runs.
            Unmap();
            throw;
        }
    }

    public string Path { get; }
    public SegmentHeader Header { get; }
    public SegmentSchema Schema => Header.Schema;
    /// <summary>Committed blocks found.</summary>
    public IReadOnlyList<BlockInfo> Blocks => _scan.Blocks;
    /// <summary>Rows in the committed blocks.</summary>
    public long TotalRows => _scan.TotalRows;
    /// <summary>True when the segment was sealed (index, footer and tail magic intact).</summary>
    public bool Sealed => _scan.Sealed;
    /// <summary>Damage found while locating blocks (none in a healthy segment, sealed or not).</summary>
    public IReadOnlyList<StorageFormatException> Problems => _scan.Problems;
    /// <summary>Bytes of the file as mapped.</summary>
    public long FileLength => _length;
    /// <summary>Bytes of header, blocks, index and footer (the committed part of an unsealed file).</summary>
    public long UsedBytes => _scan.Sealed ? _length : _scan.End;

    /// <summary>Opens a segment. Throws <see cref="StorageFormatException"/> for a file that is not a readable segment.</summary>
    public static SegmentReader Open(string path)
    {
        // A FIFO or a device has no size and blocks (or never ends) when opened: only a non-empty file is opened.
        var info = new FileInfo(path);
        if (!info.Exists) throw new StorageFormatException(path, -1, Directory.Exists(path) ? "a folder, not a segment file" : "no such file");
        if (info.Length == 0) throw new StorageFormatException(path, 0, "the file is empty (0 bytes) or not a regular file; a segment starts with a header");
        FileStream fs;
        try { fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete); }
        catch (FileNotFoundException) { throw new StorageFormatException(path, -1, "no such file"); }
        catch (DirectoryNotFoundException) { throw new StorageFormatException(path, -1, "no such file"); }
        catch (UnauthorizedAccessException e) { throw new StorageFormatException(path, -1, $"cannot open: {e.Message}"); }
        try { return new SegmentReader(path, fs); }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>A buffer sized for this segment's blocks.</summary>
    public BlockBuffer CreateBuffer() => new(Schema.ColumnCount, Header.BlockRows);

    /// <summary>
    /// Picks up blocks a writer committed since the last look (tailing). Returns true when there are new blocks.
    /// </summary>
    public bool Refresh()
    {
        if (_scan.Sealed) return false;
        long length = new FileInfo(Path).Length;
        if (length > int.MaxValue) return false;
        if (length != _length)
        {
            Unmap();
            _length = length;
            Map();
        }
        int before = _scan.Blocks.Count;
        _scan = Scan();
        return _scan.Blocks.Count > before;
    }

    /// <summary>The first block that may hold a row with exchange time at or after <paramref name="startNs"/>.</summary>
    public int FirstBlockFrom(long startNs)
    {
        var blocks = _scan.Blocks;
        for (int i = 0; i < blocks.Count; i++) if (blocks[i].MaxExchangeTime >= startNs) return i;
        return blocks.Count;
    }

    /// <summary>
    /// Decodes block <paramref name="index"/> into <paramref name="buffer"/> after verifying its checksum.
    /// Throws <see cref="StorageFormatException"/> naming the file, offset and block when it is damaged.
    /// </summary>
    public void ReadBlock(int index, BlockBuffer buffer)
    {
        var info = _scan.Blocks[index];
        string? problem = TryReadBlock(info, buffer, out long at);
        if (problem is not null) throw new StorageFormatException(Path, at, $"block {index}: {problem}");
        buffer.BlockIndex = index;
    }

    /// <summary>Verifies every block's checksum and encoding without keeping rows; returns the problems found.</summary>
    public List<StorageFormatException> Verify() => Verify(CancellationToken.None);

    /// <summary>As <see cref="Verify()"/>, stopping (with the problems found so far) when <paramref name="cancel"/> is set.</summary>
    public List<StorageFormatException> Verify(CancellationToken cancel)
    {
        var problems = new List<StorageFormatException>(_scan.Problems);
        var buffer = CreateBuffer();
        for (int i = 0; i < _scan.Blocks.Count; i++)
        {
            if (cancel.IsCancellationRequested) break;
            string? problem = TryReadBlock(_scan.Blocks[i], buffer, out long at);
            if (problem is not null) problems.Add(new StorageFormatException(Path, at, $"block {i}: {problem}"));
        }
        return problems;
    }

    /// <summary>
    /// Tells the kernel that a block that has been read will not be needed soon: its pages leave this process's
    /// resident set (they stay in the page cache, and are mapped again if read again). A sequential reader calls it
    /// as it passes blocks, so reading a segment of any size keeps the resident set small. Linux only; elsewhere
    /// nothing happens.
    /// </summary>
    public void Release(int blockIndex)
    {
        if (!OperatingSystem.IsLinux() || _base == null) return;
        var info = _scan.Blocks[blockIndex];
        long start = (info.Offset + PageSize - 1) / PageSize * PageSize;          // whole pages inside the block only
        long end = (info.Offset + info.Length) / PageSize * PageSize;
        if (end > start) MAdvise((nint)(_base + start), (nuint)(end - start), MadvDontNeed);
    }

    /// <summary>Stored payload bytes per column over all blocks (block headers not included), from the block headers alone.</summary>
    public long[] ColumnStoredBytes()
    {
        var total = new long[Schema.ColumnCount];
        foreach (var info in _scan.Blocks)
        {
            if (info.Offset + info.Length > _length) continue;
            var block = Bytes.Slice((int)info.Offset, info.Length);
            for (int c = 0; c < total.Length; c++)
            {
                if (ColumnEncoding.TryRead(block.Slice(BlockLayout.FixedHeaderSize + c * ColumnEncoding.Size, ColumnEncoding.Size), out var e) is null)
                    total[c] += e.StoredLength;
            }
        }
        return total;
    }

    private string? TryReadBlock(BlockInfo info, BlockBuffer buffer, out long at)
    {
        at = info.Offset;
        if (info.Offset + info.Length > _length) return $"the block needs {info.Length} bytes but the file ends at {_length}";
        var block = Bytes.Slice((int)info.Offset, info.Length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(block) != FormatVersion.BlockMagic) return "wrong block magic";
        if (BinaryPrimitives.ReadInt32LittleEndian(block[BlockLayout.LengthOffset..]) != info.Length) { at += BlockLayout.LengthOffset; return "block length differs from the index"; }
        uint stored = BinaryPrimitives.ReadUInt32LittleEndian(block[BlockLayout.CrcOffset..]);
        uint actual = Crc32C.Compute(block[BlockLayout.CrcStart..]);
        if (stored != actual) { at += BlockLayout.CrcOffset; return $"checksum mismatch (stored 0x{stored:X8}, computed 0x{actual:X8})"; }
        int rows = BinaryPrimitives.ReadInt32LittleEndian(block[BlockLayout.RowsOffset..]);
        if (rows != info.Rows) { at += BlockLayout.RowsOffset; return "row count differs from the index"; }
        if (BinaryPrimitives.ReadInt32LittleEndian(block[BlockLayout.ReservedOffset..]) != 0) { at += BlockLayout.ReservedOffset; return "reserved bytes are not zero"; }
        int columns = Schema.ColumnCount;
        int pos = BlockLayout.HeaderSize(columns);
        for (int c = 0; c < columns; c++)
        {
            int entryAt = BlockLayout.FixedHeaderSize + c * ColumnEncoding.Size;
            string? bad = ColumnEncoding.TryRead(block.Slice(entryAt, ColumnEncoding.Size), out var e);
            if (bad is not null) { at += entryAt; return $"column {Schema.Columns[c].Name}: {bad}"; }
            if ((long)pos + e.StoredLength > block.Length) { at += entryAt; return $"column {Schema.Columns[c].Name}: payload runs past the block"; }
            bad = _codec.Decode(e, block.Slice(pos, e.StoredLength), buffer.Target(c), rows);
            if (bad is not null) { at += pos; return $"column {Schema.Columns[c].Name}: {bad}"; }
            pos += e.StoredLength;
        }
        if (((pos + 7) & ~7) != block.Length) return "block length does not match its columns' payloads";
        if (Schema.Kind == SchemaKind.Trades && CheckTradeIds(buffer, rows) is { } badId) return badId;
        buffer.Rows = rows;
        buffer.FirstRow = info.FirstRow;
        return null;
    }

    /// <summary>
    /// A block's checksum proves its bytes, not that its trade ids are ids: every row's id must be one of the forms its
    /// flags give (FORMAT.md 6.1), and a 7-column trades segment holds integer ids only. Otherwise the block is damage
    /// (no row of it is returned), never an id printed as something it is not.
    /// </summary>
    private string? CheckTradeIds(BlockBuffer buffer, int rows)
    {
        Span<byte> text = stackalloc byte[TradeIds.MaxLength];
        var ids = buffer.Target(TradeColumns.TradeId);
        var flags = buffer.Target(TradeColumns.Flags);
        bool textIds = Schema.TextTradeIds;
        var lo = textIds ? buffer.Target(TradeColumns.TradeIdLo) : default;
        for (int i = 0; i < rows; i++)
        {
            long form = flags[i] & TradeIds.FormMask;
            if (!textIds)
            {
                if (form != 0) return $"row {i}: trade id form bits {form >> 11} in a segment of integer ids (FORMAT.md 6.1)";
                continue;
            }
            if (TradeIds.Format(ids[i], lo[i], flags[i], text) < 0)
                return $"row {i}: the trade id words {ids[i]:X16} {lo[i]:X16} are not a valid id of form {form >> 11} (FORMAT.md 6.1)";
        }
        return null;
    }

    private ReadOnlySpan<byte> Bytes => new(_base, (int)_length);

    /// <summary>
    /// Finds the blocks. A writer still appending has the file preallocated and truncates it to its exact size when
    /// it seals: pages past the new end then fault in every process that has them mapped. So the footer is looked for
    /// with a read of the file (never through the mapping) at its end as it is now: only a file that ends in the tail
    /// magic is sealed (its size final), and its index is read; any other is walked from its header through its
    /// committed blocks, which a seal never truncates.
    /// </summary>
    private SegmentScan Scan()
    {
        Span<byte> tail = stackalloc byte[8];
        bool sealedTail = _length >= 8 && RandomAccess.Read(_file.SafeFileHandle, tail, _length - 8) == 8 && tail.SequenceEqual(FormatVersion.TailMagic);
        if (sealedTail) return SegmentScan.Run(Bytes, Header, Path);
        var scan = new SegmentScan();
        scan.ScanChain(Bytes, Header, Path, Header.Length, 0);
        return scan;
    }

    /// <summary>
    /// Maps the file. A writer sealing it truncates its preallocated tail, possibly between the length read at open and
    /// the mapping: the mapping then covers the file as it is (the seal never truncates a committed block), retried
    /// until the length holds still.
    /// </summary>
    private void Map()
    {
        for (int attempt = 0; ; attempt++)
        {
            _length = Math.Min(_length, _file.Length);
            if (_length == 0) throw new StorageFormatException(Path, 0, "the file is empty (0 bytes); a segment starts with a header");
            _map = MemoryMappedFile.CreateFromFile(_file, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: true);
            try
            {
                _view = _map.CreateViewAccessor(0, _length, MemoryMappedFileAccess.Read);
                break;
            }
            catch (UnauthorizedAccessException) when (attempt < 8)
            {
                // Shorter than when its length was read: sealed in between. Map it as it is now.
                _map.Dispose();
                _map = null;
            }
        }
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
    }

    private void Unmap()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
            _view = null;
        }
        _map?.Dispose();
        _map = null;
        _base = null;
    }

    public void Dispose()
    {
        Unmap();
        _file.Dispose();
    }
}
