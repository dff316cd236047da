using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;
using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Venues.Bybit;

/// <summary>
/// Bybit's daily order-book archives (<c>&lt;date&gt;_&lt;SYMBOL&gt;_ob500.data</c>, as served zipped from its
/// public-data site; plain, gzip or zip here): JSON lines of <c>orderbook.500</c> messages, the same messages the
/// stream sends (a snapshot, then deltas; <c>ts</c>, <c>cts</c>, <c>u</c>, <c>seq</c>), with no receive time. Each
/// line goes through <see cref="BybitAdapter"/> as a frame received at its own <c>ts</c>, so the book is rebuilt by
/// the venue's own rule, and the pipeline flags every row <c>receive_time_unknown</c>
/// (<see cref="Pipeline.RecordOptions.ReceiveTimeUnknown"/>). Runs on the calling (producer) thread.
/// </summary>
public sealed class BybitBookArchive(string path, BybitAdapter adapter, string market)
{
    /// <summary>The stream URL whose market the archive's rows belong to ("linear", "inverse" or "spot").</summary>
    public static string MarketAddress(string market) => market switch
    {
        "linear" or "inverse" or "spot" => $"wss://stream.bybit.com/v5/public/{market}",
        _ => throw new ArgumentException($"market '{market}' is not linear, inverse or spot"),
    };

    /// <summary>The market an archive's path names (Bybit serves them under .../linear/..., .../spot/...), or null.</summary>
    public static string? MarketOfPath(string path)
    {
        string p = path.Replace('\\', '/');
        foreach (var m in new[] { "linear", "inverse", "spot" })
            if (p.Contains($"/{m}/", StringComparison.OrdinalIgnoreCase)) return m;
        return null;
    }

    public long Lines { get; private set; }

    /// <summary>Called about once a second with the lines read and the share of the file's bytes read (0..1).</summary>
    public Action<long, double>? Progress { get; init; }

    /// <summary>Lines whose <c>ts</c> could not be read (counted malformed by the adapter too).</summary>
    public long Unreadable { get; private set; }

    /// <summary>Lines whose <c>ts</c> lies outside the archive's day, or goes back (counted malformed by the adapter too).</summary>
    public long OutOfDay { get; private set; }

    /// <summary>The longest line taken (a snapshot of 500 levels a side is tens of kilobytes).</summary>
    public const int MaxLineBytes = 16 << 20;

    /// <summary>How far a line's <c>ts</c> may lie outside the archive's UTC day, or behind the latest before it.</summary>
    public const long Tolerance = 10_000_000_000;

    /// <summary>The UTC day (midnight, ns) the archive's name gives (<c>2026-08-09_BTCUSDT_ob500.data</c>), or null.</summary>
    public static long? DayOfPath(string path)
    {
        string name = Path.GetFileName(path);
        if (name.Length < 10 || !DateTime.TryParseExact(name[..10], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var d)) return null;
        return (d.Ticks - DateTime.UnixEpoch.Ticks) * 100;
    }

    /// <summary>
    /// Feeds every line. A compressed archive is verified whole first (zip: the entry's CRC-32; gzip: every member's
    /// CRC-32 and length, and a cut), so a damaged archive imports nothing; an <see cref="IOException"/> names the file
    /// and what is wrong. Lines are at most <see cref="MaxLineBytes"/>. Each line's <c>ts</c> must lie in the
    /// archive's day (from its name, else the first line's) and never more than <see cref="Tolerance"/> behind the
    /// latest before it: a line outside is malformed, so one bad time never files rows under another year.
    /// </summary>
    public void Run(CancellationToken cancel = default)
    {
        adapter.OnConnection(0, MarketAddress(market));
        using (var check = Open(out var kind))
        {
            if (kind != ArchiveKind.Plain) Verify(check, kind, cancel);
        }
        if (cancel.IsCancellationRequested) return;
        using var stream = Open(out _);
        var lines = new Capture.LineReader(stream, MaxLineBytes);
        long? day = DayOfPath(path);
        long latest = long.MinValue;
        try
        {
            while (!cancel.IsCancellationRequested && lines.TryRead(out var frame))
            {
                Lines++;
                if ((Lines & 0xFFFF) == 0 && Progress is { } progress && _progressClock.ElapsedMilliseconds >= 1000)
                {
                    _progressClock.Restart();
                    progress(Lines, _fileLength > 0 ? Math.Min(1, (double)_fileRead() / _fileLength) : 0);
                }
                if (frame.IsEmpty) continue;
                if (!TryTs(frame, out long ns))
                {
                    Unreadable++;
                    adapter.Counters.Frames++;
                    adapter.Counters.AddMalformed("archive line without a readable ts", frame);
                    continue;
                }
                day ??= Storage.Layout.DataRoot.DayStart(ns);
                if (ns < day.Value - Tolerance || ns >= day.Value + Storage.Layout.DataRoot.NanosPerDay + Tolerance)
                {
                    OutOfDay++;
                    adapter.Counters.Frames++;
                    adapter.Counters.AddMalformed("archive line whose ts is outside the archive's day", frame);
                    continue;
                }
                if (latest != long.MinValue && ns < latest - Tolerance)
                {
                    OutOfDay++;
                    adapter.Counters.Frames++;
                    adapter.Counters.AddMalformed("archive line whose ts goes back more than 10 s", frame);
                    continue;
                }
                latest = Math.Max(latest, ns);
                adapter.OnFrame(frame, ns);
            }
            _inflater?.Join();
            if (_inflateError is { } error) throw new InvalidDataException(error.Message, error);
        }
        catch (InvalidDataException e)
        {
            throw new IOException($"{path}: line {Lines + 1}: the archive is damaged ({e.Message}); {Lines:N0} lines before it were imported", e);
        }
    }

    private enum ArchiveKind { Plain, Gzip, Zip }

    /// <summary>Reads a compressed archive through to its end: its checksums, its cut, its line lengths.</summary>
    private void Verify(Stream stream, ArchiveKind kind, CancellationToken cancel)
    {
        var crc = new System.IO.Hashing.Crc32();
        var buffer = new byte[1 << 16];
        long total = 0;
        long run = 0;
        try
        {
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                if (cancel.IsCancellationRequested) return;
                var chunk = buffer.AsSpan(0, n);
                crc.Append(chunk);
                total += n;
                // No line past the limit: a huge line is a damaged or hostile file, not a big snapshot.
                int at = 0;
                while (at < chunk.Length)
                {
                    int nl = chunk[at..].IndexOf((byte)'\n');
                    if (nl < 0) { run += chunk.Length - at; break; }
                    if (run + nl > MaxLineBytes) { run += nl; break; }
                    run = 0;
                    at += nl + 1;
                }
                if (run > MaxLineBytes)
                    throw new IOException($"{path}: a line longer than {MaxLineBytes:N0} bytes at byte {total:N0} of the archive's data: not a Bybit order-book archive; nothing was imported");
            }
            _inflater?.Join();
            if (_inflateError is { } error) throw new InvalidDataException(error.Message, error);
        }
        catch (InvalidDataException e)
        {
            throw new IOException($"{path}: the archive is damaged ({e.Message}); nothing was imported", e);
        }
        if (kind == ArchiveKind.Zip && _zipEntry is { } entry && crc.GetCurrentHashAsUInt32() != entry.Crc32)
            throw new IOException($"{path}: the archive is damaged: its entry {entry.FullName} reads {total:N0} bytes whose CRC-32 is 0x{crc.GetCurrentHashAsUInt32():X8}, the zip says 0x{entry.Crc32:X8}; nothing was imported");
        _inflater = null;
        _inflateError = null;
    }

    private Thread? _inflater;
    private Exception? _inflateError;
    private ZipArchiveEntry? _zipEntry;
    private readonly System.Diagnostics.Stopwatch _progressClock = System.Diagnostics.Stopwatch.StartNew();
    private long _fileLength;
    private Func<long> _fileRead = () => 0;

    /// <summary>The archive's bytes, decompressed (the file closes with the stream).</summary>
    private Stream Open(out ArchiveKind kind)
    {
        var file = File.OpenRead(path);
        _fileLength = file.Length;
        _fileRead = () => { try { return file.Position; } catch (ObjectDisposedException) { return _fileLength; } };
        try
        {
            Span<byte> head = stackalloc byte[4];
            int got = file.Read(head);
            file.Position = 0;
            if (got >= 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                kind = ArchiveKind.Gzip;
                // Inflated by the capture reader's inflater, which knows a file cut short (GZipStream reads it as complete):
                // its error is kept until every line before the cut has been read.
                var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, useSynchronizationContext: false));
                _inflateError = null;
                _inflater = new Thread(() =>
                {
                    try { Capture.GzipInflater.Run(file, pipe.Writer, CancellationToken.None); }
                    catch (Exception e) { _inflateError = e; }
                    finally { pipe.Writer.Complete(); file.Dispose(); }
                }) { IsBackground = true, Name = "tickengine-gunzip" };
                _inflater.Start();
                return pipe.Reader.AsStream();
            }
            if (got >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
            {
                kind = ArchiveKind.Zip;
                ZipArchive zip;
                try { zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: false); }
                catch (InvalidDataException e) { throw new IOException($"{path}: the zip archive is damaged or cut short ({e.Message}); nothing was imported", e); }
                var entries = zip.Entries.Where(e => e.Length > 0).ToList();
                if (entries.Count != 1)
                {
                    zip.Dispose();
                    throw new IOException($"{path}: a zip of {entries.Count} files; a Bybit archive holds one .data file");
                }
                _zipEntry = entries[0];
                try { return new ZipEntryStream(zip, entries[0].Open()); }
                catch (InvalidDataException e) { zip.Dispose(); throw new IOException($"{path}: the zip archive is damaged ({e.Message}); nothing was imported", e); }
            }
            kind = ArchiveKind.Plain;
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>A zip entry's stream that closes its archive with it.</summary>
    private sealed class ZipEntryStream(ZipArchive zip, Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override int Read(Span<byte> buffer) => inner.Read(buffer);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) { inner.Dispose(); zip.Dispose(); }
            base.Dispose(disposing);
        }
    }

    /// <summary>The message's top-level <c>ts</c> (ms) in ns.</summary>
    private static bool TryTs(ReadOnlySpan<byte> line, out long ns)
    {
        ns = 0;
        try
        {
            var r = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = 16 });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("ts"u8))
                {
                    r.Read();
                    return JsonFields.TryInt64(ref r, out long ms) && FrameRules.TryTime(ms, 1_000_000, out ns);
                }
                r.Read();
                r.Skip();
            }
        }
        catch (JsonException) { }
        return false;
    }
}
