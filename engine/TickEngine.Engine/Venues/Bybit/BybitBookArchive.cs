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

    /// <summary>Lines whose <c>ts</c> could not be read (counted malformed by the adapter too).</summary>
    public long Unreadable { get; private set; }

    /// <summary>
    /// Feeds every line. Throws <see cref="IOException"/> naming the file and the line for a damaged compressed
    /// stream; the lines before it are recorded.
    /// </summary>
    public void Run(CancellationToken cancel = default)
    {
        adapter.OnConnection(0, MarketAddress(market));
        using var file = File.OpenRead(path);
        using var stream = Open(file);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, true), false, 1 << 16);
        var buffer = new byte[1 << 16];
        try
        {
            string? line;
            while (!cancel.IsCancellationRequested && (line = reader.ReadLine()) is not null)
            {
                Lines++;
                if (line.Length == 0) continue;
                int n = Encoding.UTF8.GetMaxByteCount(line.Length);
                if (buffer.Length < n) buffer = new byte[Math.Max(n, buffer.Length * 2)];
                int len = Encoding.UTF8.GetBytes(line, buffer);
                var frame = buffer.AsSpan(0, len);
                if (!TryTs(frame, out long ns))
                {
                    Unreadable++;
                    adapter.Counters.Frames++;
                    adapter.Counters.AddMalformed("archive line without a readable ts", frame);
                    continue;
                }
                adapter.OnFrame(frame, ns);
            }
            _inflater?.Join();
            if (_inflateError is { } error) throw new InvalidDataException(error.Message, error);
        }
        catch (Exception e) when (e is InvalidDataException or DecoderFallbackException)
        {
            throw new IOException($"{path}: line {Lines + 1}: the archive is damaged ({e.Message}); {Lines:N0} lines before it were imported", e);
        }
    }

    private Thread? _inflater;
    private Exception? _inflateError;

    private Stream Open(FileStream file)
    {
        Span<byte> head = stackalloc byte[4];
        int got = file.Read(head);
        file.Position = 0;
        if (got >= 2 && head[0] == 0x1F && head[1] == 0x8B)
        {
            // Inflated by the capture reader's inflater, which knows a file cut short (GZipStream reads it as complete):
            // its error is kept until every line before the cut has been read.
            var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 8 << 20, resumeWriterThreshold: 4 << 20, useSynchronizationContext: false));
            _inflater = new Thread(() =>
            {
                try { Capture.GzipInflater.Run(file, pipe.Writer, CancellationToken.None); }
                catch (Exception e) { _inflateError = e; }
                finally { pipe.Writer.Complete(); }
            }) { IsBackground = true, Name = "tickengine-gunzip" };
            _inflater.Start();
            return pipe.Reader.AsStream();
        }
        if (got >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
        {
            var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true);
            var entries = zip.Entries.Where(e => e.Length > 0).ToList();
            if (entries.Count != 1) throw new IOException($"{path}: a zip of {entries.Count} files; a Bybit archive holds one .data file");
            return entries[0].Open();
        }
        return file;
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
