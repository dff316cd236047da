using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using TickEngine.Storage.Compression;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Storage.Writing;

/// <summary>
/// Appends rows to one segment file through a shared memory mapping (FORMAT.md, "Writing and committing").
/// Rows are buffered per column; a block is encoded when it is full or on <see cref="Flush"/>, and committed by
/// writing its length word last. A row is committed once <see cref="CommittedRows"/> counts it: from then on a
/// killed process loses it not. <see cref="Dispose"/> seals the segment (index, footer, tail magic).
/// Single-threaded: one thread calls everything; any thread may read <see cref="CommittedRows"/>.
/// </summary>
public sealed unsafe partial class SegmentWriter : IDisposable
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "madvise", SetLastError = true)]
    private static partial int MAdvise(nint address, nuint length, int advice);

    // The writer maps the file itself (mmap/munmap/msync from libc; TickEngine runs on Linux):
    // growing a segment then allocates nothing on the managed heap, where a MemoryMappedFile and its view would
    // be allocated at every growth.
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint MMap(nint address, nuint length, int protection, int flags, int fd, long offset);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int MUnmap(nint address, nuint length);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "msync", SetLastError = true)]
    private static partial int MSync(nint address, nuint length, int flags);

    private const int ProtReadWrite = 1 | 2, MapShared = 1, MsSync = 4;

    private static readonly long PageSize = Environment.SystemPageSize;

    static SegmentWriter()
    {
        // Bind the libc calls now (zero-length calls do nothing), not on their first use in a hot loop: binding a
        // P/Invoke allocates, and munmap, say, is first called when a segment first grows.
        if (OperatingSystem.IsLinux())
        {
            MAdvise(0, 0, 0);
            MUnmap(0, 0);
            MSync(0, 0, MsSync);
            FileSpace.Bind();
        }
    }
    private long _released;

    private readonly FileStream _file;
    private readonly SegmentWriterOptions _options;
    private readonly ColumnCodec _codec;
    private readonly long[] _pending;       // column-major: column c, row r at c * _blockRows + r
    private readonly int _blockRows;
    private readonly int _columns;
    private readonly int _blockHeaderSize;
    private int _blockCount; // committed blocks; they run back to back from the header (the index is built from them at the seal)
    private byte* _base;
    private nuint _mappedLength; // the length of the mapping at _base (0: not mapped)
    private long _capacity;
    private long _end;
    private int _count;
    private long _committedRows;
    private bool _disposed;

    private SegmentWriter(string path, FileStream file, SegmentHeader header, SegmentWriterOptions options, int blockCount, long end, long rows)
    {
        Path = path;
        Header = header;
        _file = file;
        _options = options;
        _blockRows = header.BlockRows;
        _columns = header.Schema.ColumnCount;
        _blockHeaderSize = BlockLayout.HeaderSize(_columns);
        _codec = new ColumnCodec(_blockRows);
        _pending = new long[_columns * _blockRows];
        _blockCount = blockCount;
        _end = end;
        _committedRows = rows;
        RowsAtOpen = rows;
        BytesAtOpen = blockCount == 0 ? 0 : end;
        _capacity = Math.Max(file.Length, Math.Max(options.InitialCapacity, end + MaxBlockBytes()));
        FileSpace.Reserve(file, path, _capacity);
        Map();
    }

    public string Path { get; }
    public SegmentHeader Header { get; }

    /// <summary>Rows whose block is committed (survive a killed process). Readable from any thread.</summary>
    public long CommittedRows => Volatile.Read(ref _committedRows);

    /// <summary>Committed rows the segment held when this writer opened it (0 for a new segment).</summary>
    public long RowsAtOpen { get; }

    /// <summary>Committed bytes the segment held when this writer opened it (0 for a new segment).</summary>
    public long BytesAtOpen { get; }

    /// <summary>Rows appended but not yet in a committed block.</summary>
    public int PendingRows => _count;

    /// <summary>Bytes of committed blocks and header (the file is larger while it is open: it is preallocated).</summary>
    public long CommittedBytes => _end;

    /// <summary>Committed blocks so far.</summary>
    public int BlockCount => _blockCount;

    /// <summary>Told of every commit (see <see cref="ISegmentCommitObserver"/>); null for none.</summary>
    public ISegmentCommitObserver? CommitObserver { get; set; }

    /// <summary>Suffix of the file a new segment is prepared in before it takes its name.</summary>
    public const string CreatingSuffix = ".creating";

    /// <summary>
    /// Creates a new segment; fails when the file exists. The segment is prepared under a temporary name (header
    /// written, first space reserved, synced) and only then takes its name, so a crash or a full disk at creation
    /// never leaves an empty or headless segment behind.
    /// </summary>
    public static SegmentWriter Create(string path, SegmentHeader header, SegmentWriterOptions? options = null)
    {
        options ??= new SegmentWriterOptions();
        string? dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        if (File.Exists(path)) throw new IOException($"{path}: the segment exists already");
        string temp = path + CreatingSuffix;
        if (File.Exists(temp)) File.Delete(temp); // a creation interrupted before: nothing was committed to it
        FileStream? fs = null;
        try
        {
            fs = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
            Span<byte> buf = new byte[header.Length];
            header.Write(buf);
            fs.Write(buf);
            fs.Flush(true);
            var writer = new SegmentWriter(path, fs, header, options, 0, header.Length, 0);
            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch
            {
                writer.Abandon();
                throw;
            }
            return writer;
        }
        catch (Exception e)
        {
            // Nothing was committed to it (a full disk, say): leave no file behind. Closing may fail too (its
            // buffered bytes cannot be written): the file is deleted all the same.
            try { fs?.Dispose(); } catch (IOException) { }
            try { File.Delete(temp); } catch (IOException) { }
            if (e is IOException io && io is not FileNotFoundException and not DirectoryNotFoundException)
                throw new IOException($"{path}: the segment cannot be created ({io.Message.Replace(temp, "its temporary file", StringComparison.Ordinal)}); no file is left behind", io);
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> to append (recovering the committed blocks of an unsealed segment and
    /// unsealing a sealed one) or creates it. The existing header must match <paramref name="header"/>.
    /// A damaged segment is refused with the problem named, never appended to.
    /// </summary>
    public static SegmentWriter OpenOrCreate(string path, SegmentHeader header, SegmentWriterOptions? options = null)
    {
        options ??= new SegmentWriterOptions();
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            if (File.Exists(path)) File.Delete(path);
            return Create(path, header, options);
        }
        var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            long length = fs.Length;
            if (length > int.MaxValue) throw new StorageFormatException(path, 0, "segments above 2 GiB are not supported by this version");
            var bytes = new byte[length];
            fs.ReadExactly(bytes);
            var existing = SegmentHeader.Read(bytes, path);
            if (!existing.IsCompatibleWith(header))
                throw new StorageFormatException(path, 0, $"the existing segment holds {existing.Exchange}/{existing.Symbol} {existing.Schema.Name} (depth {existing.Schema.Depth}, scales {existing.Schema.PriceScale}/{existing.Schema.QuantityScale}); it cannot take rows of {header.Exchange}/{header.Symbol} {header.Schema.Name} (depth {header.Schema.Depth}, scales {header.Schema.PriceScale}/{header.Schema.QuantityScale})");
            var scan = SegmentScan.Run(bytes, existing, path);
            if (scan.Problems.Count > 0 && !scan.Sealed)
                throw new StorageFormatException(path, scan.Problems[0].Offset, $"the segment is damaged and will not be appended to: {scan.Problems[0].Problem}");
            // Zero what follows the committed blocks (an old index and footer, or an uncommitted block).
            long end = scan.End;
            fs.Position = end;
            var zeros = new byte[Math.Min(1 << 20, Math.Max(1, length - end))];
            for (long p = end; p < length; p += zeros.Length) fs.Write(zeros, 0, (int)Math.Min(zeros.Length, length - p));
            fs.Flush(true);
            return new SegmentWriter(path, fs, existing, options, scan.Blocks.Count, end, scan.TotalRows);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
    }

    /// <summary>Appends one row (one value per column). Encodes and commits a block when it fills.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Append(ReadOnlySpan<long> row)
    {
        if (row.Length != _columns) ThrowRowWidth(row.Length);
        int n = _count;
        long[] pending = _pending;
        int stride = _blockRows;
        for (int c = 0; c < row.Length; c++) pending[c * stride + n] = row[c];
        if (++_count == stride) CommitBlock();
    }

    /// <summary>Commits the rows appended so far as a (possibly short) block. Nothing happens when none are pending.</summary>
    public void Flush()
    {
        if (_count > 0) CommitBlock();
    }

    /// <summary>Commits pending rows, writes the index and footer, and truncates the file to its exact size.</summary>
    public void Seal()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Flush();
        int indexBytes = BlockLayout.IndexHeaderSize + _blockCount * BlockLayout.IndexEntrySize;
        long total = _end + indexBytes + BlockLayout.FooterSize;
        EnsureCapacity(total);
        var index = new Span<byte>(_base + _end, indexBytes + BlockLayout.FooterSize);
        BinaryPrimitives.WriteUInt32LittleEndian(index, FormatVersion.IndexMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(index[4..], (uint)_blockCount);
        // The index from the committed blocks' own headers (back to back from the segment header): no in-memory
        // list of blocks, which would grow (and allocate) as a day's blocks accumulate.
        long at = Header.Length;
        for (int i = 0; i < _blockCount; i++)
        {
            var b = new ReadOnlySpan<byte>(_base + at, BlockLayout.FixedHeaderSize);
            int length = BinaryPrimitives.ReadInt32LittleEndian(b[BlockLayout.LengthOffset..]);
            var e = index.Slice(BlockLayout.IndexHeaderSize + i * BlockLayout.IndexEntrySize, BlockLayout.IndexEntrySize);
            BinaryPrimitives.WriteInt64LittleEndian(e, at);
            BinaryPrimitives.WriteInt32LittleEndian(e[8..], length);
            BinaryPrimitives.WriteInt32LittleEndian(e[12..], BinaryPrimitives.ReadInt32LittleEndian(b[BlockLayout.RowsOffset..]));
            BinaryPrimitives.WriteInt64LittleEndian(e[16..], BinaryPrimitives.ReadInt64LittleEndian(b[BlockLayout.FirstRowOffset..]));
            BinaryPrimitives.WriteInt64LittleEndian(e[24..], BinaryPrimitives.ReadInt64LittleEndian(b[BlockLayout.MinExchangeTimeOffset..]));
            BinaryPrimitives.WriteInt64LittleEndian(e[32..], BinaryPrimitives.ReadInt64LittleEndian(b[BlockLayout.MaxExchangeTimeOffset..]));
            BinaryPrimitives.WriteInt64LittleEndian(e[40..], BinaryPrimitives.ReadInt64LittleEndian(b[BlockLayout.MinReceiveTimeOffset..]));
            BinaryPrimitives.WriteInt64LittleEndian(e[48..], BinaryPrimitives.ReadInt64LittleEndian(b[BlockLayout.MaxReceiveTimeOffset..]));
            at += length;
        }
        if (at != _end) throw new InvalidOperationException($"{Path}: the committed blocks end at {at}, expected {_end}");
        var footer = index[indexBytes..];
        BinaryPrimitives.WriteInt64LittleEndian(footer, _end);
        BinaryPrimitives.WriteInt64LittleEndian(footer[8..], _committedRows);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[16..], (uint)_blockCount);
        BinaryPrimitives.WriteUInt32LittleEndian(footer[20..], Crc32C.Compute(index[..(indexBytes + 20)]));
        FormatVersion.TailMagic.CopyTo(footer[24..]);
        SyncMapping();
        Unmap();
        _file.SetLength(total);
        _file.Flush(true);
        _disposed = true;
        _file.Dispose();
    }

    /// <summary>Seals the segment (see <see cref="Seal"/>).</summary>
    public void Dispose()
    {
        if (_disposed) return;
        try
        {
            Seal();
        }
        catch
        {
            // Sealing failed (a full disk): close as a crash would, committed blocks only, which a reader and the
            // next recording recover; the failure goes to the caller.
            Abandon();
            throw;
        }
    }

    /// <summary>Closes without sealing, as a crash would leave the file (committed blocks only). For tests and tools.</summary>
    public void Abandon()
    {
        if (_disposed) return;
        Unmap();
        _disposed = true;
        _file.Dispose();
    }

    private void CommitBlock()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int n = _count;
        EnsureCapacity(_end + MaxBlockBytes());
        byte* start = _base + _end;
        // The commit word goes to 0 first: until the block is complete no reader may take it.
        Volatile.Write(ref *(int*)(start + BlockLayout.LengthOffset), 0);
        var block = new Span<byte>(start, MaxBlockBytes());
        int pos = _blockHeaderSize;
        long[] pending = _pending;
        for (int c = 0; c < _columns; c++)
        {
            var values = new ReadOnlySpan<long>(pending, c * _blockRows, n);
            var e = _codec.Encode(values, block[pos..]);
            e.Write(block.Slice(BlockLayout.FixedHeaderSize + c * ColumnEncoding.Size, ColumnEncoding.Size));
            pos += e.StoredLength;
        }
        int length = (pos + 7) & ~7;
        block[pos..length].Clear();
        MinMax(new ReadOnlySpan<long>(pending, SegmentSchema.ExchangeTime * _blockRows, n), out long minX, out long maxX);
        MinMax(new ReadOnlySpan<long>(pending, SegmentSchema.ReceiveTime * _blockRows, n), out long minR, out long maxR);
        BinaryPrimitives.WriteUInt32LittleEndian(block, FormatVersion.BlockMagic);
        BinaryPrimitives.WriteInt32LittleEndian(block[BlockLayout.RowsOffset..], n);
        BinaryPrimitives.WriteInt32LittleEndian(block[BlockLayout.ColumnsOffset..], _columns);
        BinaryPrimitives.WriteInt32LittleEndian(block[BlockLayout.ReservedOffset..], 0);
        BinaryPrimitives.WriteInt64LittleEndian(block[BlockLayout.FirstRowOffset..], _committedRows);
        BinaryPrimitives.WriteInt64LittleEndian(block[BlockLayout.MinExchangeTimeOffset..], minX);
        BinaryPrimitives.WriteInt64LittleEndian(block[BlockLayout.MaxExchangeTimeOffset..], maxX);
        BinaryPrimitives.WriteInt64LittleEndian(block[BlockLayout.MinReceiveTimeOffset..], minR);
        BinaryPrimitives.WriteInt64LittleEndian(block[BlockLayout.MaxReceiveTimeOffset..], maxR);
        BinaryPrimitives.WriteUInt32LittleEndian(block[BlockLayout.CrcOffset..], Crc32C.Compute(block[BlockLayout.CrcStart..length]));
        // Commit: the length word last, with release semantics.
        Volatile.Write(ref *(int*)(start + BlockLayout.LengthOffset), length);
        if (_options.Durable) SyncMapping();
        _blockCount++;
        _end += length;
        ReleaseCommitted();
        _count = 0;
        long first = _committedRows;
        Volatile.Write(ref _committedRows, first + n);
        CommitObserver?.Committed(Path, first, n);
    }

    /// <summary>
    /// Committed blocks are never written again: their whole pages leave this process's resident set (the data
    /// stays in the file's page cache and goes to disk as usual; a killed process loses nothing), so a writer's
    /// memory does not grow with its segment. Linux only.
    /// </summary>
    private void ReleaseCommitted()
    {
        if (!OperatingSystem.IsLinux()) return;
        long upTo = _end / PageSize * PageSize;
        long from = Math.Max(_released, PageSize); // keep the header page mapped
        if (upTo - from >= 1 << 20)
        {
            MAdvise((nint)(_base + from), (nuint)(upTo - from), 4 /* MADV_DONTNEED */);
            _released = upTo;
        }
    }

    private int MaxBlockBytes() => _blockHeaderSize + _columns * ColumnCodec.MaxPayloadLength(_blockRows) + 8;

    private static void MinMax(ReadOnlySpan<long> values, out long min, out long max)
    {
        min = long.MaxValue;
        max = long.MinValue;
        foreach (long v in values)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
    }

    private void EnsureCapacity(long needed)
    {
        if (needed <= _capacity) return;
        long next = _capacity;
        while (next < needed) next = next < (256L << 20) ? next * 2 : next + (256L << 20);
        FileSpace.Reserve(_file, Path, next); // a full disk fails here, with the current mapping intact
        Unmap();
        _capacity = next;
        Map();
    }

    private void Map()
    {
        _released = 0;
        nint address = MMap(0, (nuint)_capacity, ProtReadWrite, MapShared, (int)_file.SafeFileHandle.DangerousGetHandle(), 0);
        if (address == -1) throw new IOException($"{Path}: cannot map {_capacity:N0} bytes: {System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage()}");
        _base = (byte*)address;
        _mappedLength = (nuint)_capacity;
    }

    /// <summary>Writes the mapped pages to the disk (msync) and waits for it.</summary>
    private void SyncMapping()
    {
        if (_mappedLength > 0 && MSync((nint)_base, _mappedLength, MsSync) != 0)
            throw new IOException($"{Path}: msync failed: {System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage()}");
    }

    private void Unmap()
    {
        if (_mappedLength == 0) return;
        MUnmap((nint)_base, _mappedLength);
        _mappedLength = 0;
        _base = null;
    }

    private void ThrowRowWidth(int got) =>
        throw new ArgumentException($"{Path}: a {Header.Schema.Name} row has {_columns} columns, got {got}");
}
