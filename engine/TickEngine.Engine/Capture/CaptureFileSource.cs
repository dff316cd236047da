using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text.Json;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Capture;

/// <summary>
/// Feeds a raw capture file (gzip or plain) through an exchange adapter at full speed. Lines are read with
/// System.IO.Pipelines (<c>ReadAsync</c>, split, <c>AdvanceTo</c>); a line within one buffer segment is parsed in
/// place, one spanning segments is copied once into a reused buffer. Lines longer than
/// <see cref="MaxLineBytes"/> are counted as malformed and skipped. Runs on the calling (producer) thread.
/// </summary>
public sealed class CaptureFileSource
{
    public const int MaxLineBytes = 16 << 20;
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 8 };
    private readonly string _path;
    private readonly IExchangeAdapter _adapter;
    private byte[] _line = new byte[1 << 16];
    private byte[] _unescaped = new byte[1 << 16];
    private CaptureFormat? _format;
    private readonly List<(byte[] Name, string? Address)> _connections = new();

    private readonly int _connectionBase;

    /// <param name="connectionBase">The number this file's first connection gets: files recorded in one run give each a
    /// base of its own, so a connection named alike in two files (cryptofeed's "BYBIT.ws.2") is two connections, each
    /// of its own file's market.</param>
    public CaptureFileSource(string path, IExchangeAdapter adapter, int connectionBase = 0)
    {
        _path = path;
        _adapter = adapter;
        _connectionBase = connectionBase;
    }

    /// <summary>The most connections one capture file may name.</summary>
    public const int MaxConnections = 1024;

    public long Lines { get; private set; }
    public long BytesRead { get; private set; }
    public long Skipped { get; private set; }
    public CaptureFormat? Format => _format;

    /// <summary>
    /// Reads the whole file (or until <paramref name="cancel"/>) on the calling thread, which becomes the producer:
    /// lines are split from the pipe and parsed there. A gzip file is inflated on a thread of its own into the pipe
    /// (bounded: it waits when the producer is 8 MB behind), so inflating and parsing share the two cores. Throws
    /// <see cref="IOException"/> for an unreadable or damaged file, naming it and the lines read before the damage.
    /// </summary>
    public void Run(CancellationToken cancel = default)
    {
        using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16, FileOptions.SequentialScan);
        PipeReader reader;
        Thread? inflater = null;
        if (IsGzip(file))
        {
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, minimumSegmentSize: 1 << 17,
                readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false));
            inflater = new Thread(() => Inflate(file, pipe.Writer, cancel)) { IsBackground = true, Name = "tickengine-gunzip" };
            inflater.Start();
            reader = pipe.Reader;
        }
        else
        {
            // Reads complete on the calling thread (a file needs no I/O thread): the producer stays one thread from
            // the disk to the ring, instead of hopping between pool threads on every read.
            reader = PipeReader.Create(new SynchronousReadStream(file), new StreamPipeReaderOptions(bufferSize: 1 << 17, minimumReadSize: 1 << 16, leaveOpen: true));
        }
        try
        {
            while (!cancel.IsCancellationRequested)
            {
                ReadResult result = Read(reader, cancel);
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (TryReadLine(ref buffer, out var line)) Process(line);
                if (result.IsCompleted)
                {
                    if (!buffer.IsEmpty) Process(buffer);
                    reader.AdvanceTo(buffer.End);
                    break;
                }
                // Never touch the buffer after AdvanceTo.
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (buffer.Length > MaxLineBytes)
                {
                    // A line without an end in sight: skip to its newline without keeping it.
                    _adapter.Counters.AddMalformed($"line over {MaxLineBytes} bytes", default);
                    SkipLine(reader, cancel);
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw new IOException($"{_path}: {e.Message}; the {Lines:N0} lines before it were recorded", e);
        }
        finally
        {
            reader.Complete();
            inflater?.Join();
        }
        // Stopped on request: the inflater was stopped too; that is no damage.
        if (_inflateError is { } error && !(cancel.IsCancellationRequested && error is OperationCanceledException))
        {
            if (error is InvalidDataException) throw new IOException($"{_path}: {error.Message}; the {Lines:N0} lines before it were recorded", error);
            throw new IOException($"{_path}: {error.Message}", error);
        }
    }

    /// <summary>Reads the pipe, blocking the producer thread when nothing is there yet (no continuation on another thread).</summary>
    private static ReadResult Read(PipeReader reader, CancellationToken cancel)
    {
        var pending = reader.ReadAsync(cancel);
        return pending.IsCompleted ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
    }

    /// <summary>
    /// The inflating thread: gzip into the pipe until the end or the reader stops. A damaged or cut file ends the
    /// pipe normally and leaves its error in <see cref="_inflateError"/>, so that every line before the damage is
    /// read first (a pipe completed with an error would throw at the reader's next read, dropping what it holds).
    /// </summary>
    private void Inflate(FileStream file, PipeWriter writer, CancellationToken cancel)
    {
        try
        {
            GzipInflater.Run(file, writer, cancel);
        }
        catch (Exception e)
        {
            _inflateError = e;
        }
        finally
        {
            writer.Complete();
        }
    }

    private volatile Exception? _inflateError;

    private static void SkipLine(PipeReader reader, CancellationToken cancel)
    {
        while (true)
        {
            var r = Read(reader, cancel);
            var pos = r.Buffer.PositionOf((byte)'\n');
            if (pos is not null)
            {
                reader.AdvanceTo(r.Buffer.GetPosition(1, pos.Value));
                return;
            }
            reader.AdvanceTo(r.Buffer.End);
            if (r.IsCompleted) return;
        }
    }

    private static bool IsGzip(FileStream file)
    {
        Span<byte> head = stackalloc byte[2];
        int n = file.Read(head);
        file.Position = 0;
        return n == 2 && head[0] == 0x1F && head[1] == 0x8B;
    }

    /// <summary>
    /// The exchange a capture's header names (cryptofeed's first line, <c>{"t":"header","exchange":"BYBIT",...}</c>),
    /// or null when the file has no such header.
    /// </summary>
    public static string? HeaderExchange(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 14);
            if (file.Length == 0) return null;
            Stream stream = IsGzip(file) ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
            var buffer = new char[1 << 16];
            int n = reader.ReadBlock(buffer, 0, buffer.Length);
            string head = new string(buffer, 0, n);
            int end = head.IndexOf('\n');
            string line = end >= 0 ? head[..end] : head;
            if (!line.StartsWith('{')) return null;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("t", out var t) || t.ValueKind != JsonValueKind.String || t.GetString() != "header") return null;
            return root.TryGetProperty("exchange", out var ex) && ex.ValueKind == JsonValueKind.String ? ex.GetString() : null;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>
    /// The first receive time a capture file holds (ns), read from its first lines, or null when none is found
    /// within them: orders several files of one recording in time.
    /// </summary>
    public static long? FirstReceiveTime(string path, int maxLines = 64)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 14);
            var head = new byte[2];
            int n = file.Read(head);
            file.Position = 0;
            Stream stream = n == 2 && head[0] == 0x1F && head[1] == 0x8B ? new GZipStream(file, CompressionMode.Decompress) : file;
            using var reader = new StreamReader(stream, System.Text.Encoding.UTF8);
            for (int i = 0; i < maxLines; i++)
            {
                string? line = reader.ReadLine();
                if (line is null) return null;
                if (line.Length == 0) continue;
                if (line[0] != '{')
                {
                    int space = line.IndexOf(' ');
                    if (space > 0 && long.TryParse(line.AsSpan(0, space), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long ns)) return ns;
                    continue;
                }
                try
                {
                    using var doc = JsonDocument.Parse(line);
                    if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("ts", out var ts) &&
                        FixedDecimal.TryParse(System.Text.Encoding.UTF8.GetBytes(ts.GetRawText().Trim('"')), 9, out long t, out _)) return t;
                }
                catch (JsonException) { }
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException) { }
        return null;
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var pos = buffer.PositionOf((byte)'\n');
        if (pos is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, pos.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, pos.Value));
        return true;
    }

    private void Process(in ReadOnlySequence<byte> sequence)
    {
        Lines++;
        BytesRead += sequence.Length + 1;
        if (sequence.Length > MaxLineBytes) { _adapter.Counters.AddMalformed($"line over {MaxLineBytes} bytes", default); return; }
        ReadOnlySpan<byte> line;
        if (sequence.IsSingleSegment) line = sequence.FirstSpan;
        else
        {
            if (_line.Length < sequence.Length) _line = new byte[Math.Max(_line.Length * 2, (int)sequence.Length)];
            sequence.CopyTo(_line);
            line = _line.AsSpan(0, (int)sequence.Length);
        }
        if (line.Length > 0 && line[^1] == (byte)'\r') line = line[..^1];
        if (line.IsEmpty) return;
        _format ??= line[0] == (byte)'{' ? CaptureFormat.JsonRecords : CaptureFormat.TimestampedLines;
        if (_format == CaptureFormat.TimestampedLines) ProcessTimestamped(line);
        else ProcessRecord(line);
    }

    private void ProcessTimestamped(ReadOnlySpan<byte> line)
    {
        int space = line.IndexOf((byte)' ');
        if (space <= 0 || !System.Buffers.Text.Utf8Parser.TryParse(line[..space], out long receiveNs, out int used) || used != space)
        {
            _adapter.Counters.Frames++;
            _adapter.Counters.AddMalformed("capture line does not start with a receive time in ns", line);
            return;
        }
        var frame = line[(space + 1)..];
        if (IsRestDepthBody(frame)) _adapter.OnRest(frame, receiveNs, null);
        else _adapter.OnFrame(frame, receiveNs);
    }

    /// <summary>A REST depth body stands alone: an object with lastUpdateId and no stream wrapper or event type.</summary>
    private static bool IsRestDepthBody(ReadOnlySpan<byte> frame) =>
        frame.StartsWith("{\"lastUpdateId\""u8) && frame.IndexOf("\"stream\""u8) < 0;

    private void ProcessRecord(ReadOnlySpan<byte> line)
    {
        var r = new Utf8JsonReader(line, Options);
        ReadOnlySpan<byte> type = default;
        long ts = 0;
        string? url = null, addr = null;
        int dataLength = -1, connection = -1;
        try
        {
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) { Malformed("capture record is not a JSON object", line); return; }
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("t"u8)) { r.Read(); type = r.ValueSpan; }
                else if (r.ValueTextEquals("ts"u8))
                {
                    r.Read();
                    // Epoch seconds with a fraction, taken exactly to nanoseconds.
                    if (r.TokenType is JsonTokenType.Number or JsonTokenType.String) FixedDecimal.TryParse(r.ValueSpan, 9, out ts, out _);
                }
                else if (r.ValueTextEquals("url"u8)) { r.Read(); url = r.TokenType == JsonTokenType.String ? r.GetString() : null; }
                else if (r.ValueTextEquals("conn"u8)) { r.Read(); if (r.TokenType == JsonTokenType.String && !r.ValueIsEscaped) connection = Connection(r.ValueSpan); }
                else if (r.ValueTextEquals("addr"u8)) { r.Read(); addr = r.TokenType == JsonTokenType.String ? r.GetString() : null; }
                else if (r.ValueTextEquals("data"u8))
                {
                    r.Read();
                    if (r.TokenType == JsonTokenType.String)
                    {
                        int need = r.HasValueSequence ? (int)r.ValueSequence.Length : r.ValueSpan.Length;
                        if (_unescaped.Length < need) _unescaped = new byte[Math.Max(need, _unescaped.Length * 2)];
                        dataLength = r.CopyString(_unescaped);
                    }
                    else r.Skip();
                }
                else { r.Read(); r.Skip(); }
            }
        }
        catch (JsonException)
        {
            Malformed("capture record is not valid JSON", line);
            return;
        }
        if (connection >= 0 && _adapter is IConnectionAware aware)
        {
            if (addr is not null && _connections[connection].Address is null) _connections[connection] = (_connections[connection].Name, addr);
            aware.OnConnection(_connectionBase + connection, _connections[connection].Address);
        }
        if (type.SequenceEqual("recv"u8) && dataLength >= 0) _adapter.OnFrame(_unescaped.AsSpan(0, dataLength), ts);
        else if (type.SequenceEqual("http"u8) && dataLength >= 0) _adapter.OnRest(_unescaped.AsSpan(0, dataLength), ts, url);
        else if (type.SequenceEqual("connect"u8)) _adapter.OnSession(StatusKind.Connect, ts);
        else if (type.SequenceEqual("disconnect"u8) || type.SequenceEqual("close"u8)) _adapter.OnSession(StatusKind.Disconnect, ts);
        else Skipped++;
    }

    /// <summary>The number of a record's <c>conn</c> name (cryptofeed's "BYBIT.ws.2"); allocates once per connection.</summary>
    private int Connection(ReadOnlySpan<byte> name)
    {
        for (int i = 0; i < _connections.Count; i++)
            if (name.SequenceEqual(_connections[i].Name)) return i;
        if (_connections.Count >= MaxConnections) return -1; // a capture naming more connections than any run opens: no more numbers
        // A name that is a URL (some recorders name a connection by its address) is its address.
        string? address = name.StartsWith("wss://"u8) || name.StartsWith("ws://"u8) ? System.Text.Encoding.UTF8.GetString(name) : null;
        _connections.Add((name.ToArray(), address));
        return _connections.Count - 1;
    }

    private void Malformed(string reason, ReadOnlySpan<byte> line)
    {
        _adapter.Counters.Frames++;
        _adapter.Counters.AddMalformed(reason, line);
    }
}
