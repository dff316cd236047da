using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Text;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Live;

/// <summary>
/// Where every live connection's messages meet the one producer: a System.IO.Pipelines pipe of records
/// <c>[kind u8][source u8][reserved 2][length i32][receive ns i64][url length i32][payload][url]</c> (source: which adapter). Connections append whole
/// WebSocket messages (message boundaries kept); the pipe's pause threshold makes them wait when the producer is
/// behind (nothing is dropped). The producer reads records and hands the payloads to the adapter in place: a
/// record inside one buffer segment is parsed where it lies, one spanning segments is copied once.
/// </summary>
public sealed class FramePipe
{
    public const int HeaderSize = 20;
    private readonly Pipe _pipe;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private byte[] _scratch = new byte[1 << 16];
    private readonly string?[,] _addresses = new string?[256, 256]; // per source and connection: the URL its Connect record named

    public enum RecordKind : byte { Frame = 1, Rest = 2, Connect = 3, Disconnect = 4, DisconnectTradesOnly = 5, Rejected = 6 }

    /// <summary>Why a connection rejected a WebSocket message (a <see cref="RecordKind.Rejected"/> record carries a sample of it).</summary>
    public enum RejectReason : byte { Binary = 1, Oversize = 2 }

    /// <summary>The malformed-frame reason each <see cref="RejectReason"/> is counted under.</summary>
    public static string ReasonText(RejectReason reason) => reason switch
    {
        RejectReason.Binary => "binary WebSocket frame where text is expected",
        RejectReason.Oversize => "frame over the maximum frame size (dropped unread)",
        _ => "rejected frame",
    };

    public FramePipe(int maxFrameBytes = 16 << 20, long pauseBytes = 64L << 20)
    {
        MaxFrameBytes = maxFrameBytes;
        _pipe = new Pipe(new PipeOptions(pauseWriterThreshold: pauseBytes, resumeWriterThreshold: pauseBytes / 2, minimumSegmentSize: 1 << 16, useSynchronizationContext: false));
    }

    public int MaxFrameBytes { get; }

    /// <summary>Records written and not yet read, in bytes (backpressure shows here).</summary>
    public long Pending => Interlocked.Read(ref _pending);
    private long _pending;

    /// <summary>
    /// Bytes the producer allocated while parsing frame records and publishing their events (REST snapshots and
    /// session records excluded): the hot path's allocations, measured on the thread that runs it, per read batch.
    /// </summary>
    public long FrameAllocatedBytes => Interlocked.Read(ref _frameAllocated);
    private long _frameAllocated;
    private long _batchesUncounted;

    /// <summary>Read batches a garbage collection interrupted, whose allocations <see cref="FrameAllocatedBytes"/> does not count.</summary>
    public long BatchesUncounted => Interlocked.Read(ref _batchesUncounted);
    private long _otherAllocated;

    /// <summary>Appends one record; waits while the pipe is paused.</summary>
    /// <param name="connection">Which connection of the source (a venue with several markets on several URLs); a
    /// <see cref="RecordKind.Connect"/> record's <paramref name="url"/> is that connection's address.</param>
    public async ValueTask WriteAsync(RecordKind kind, ReadOnlyMemory<byte> payload, long receiveNs, string? url, CancellationToken cancel, byte source = 0, byte detail = 0,
        byte connection = 0)
    {
        int urlBytes = url is null ? 0 : Encoding.UTF8.GetByteCount(url);
        await _writeLock.WaitAsync(cancel);
        try
        {
            var w = _pipe.Writer;
            var header = w.GetSpan(HeaderSize);
            header[0] = (byte)kind;
            header[1] = source;
            header[2] = detail;
            header[3] = connection;
            BinaryPrimitives.WriteInt32LittleEndian(header[4..], payload.Length);
            BinaryPrimitives.WriteInt64LittleEndian(header[8..], receiveNs);
            BinaryPrimitives.WriteInt32LittleEndian(header[16..], urlBytes);
            w.Advance(HeaderSize);
            w.Write(payload.Span);
            if (url is not null) w.Write(Encoding.UTF8.GetBytes(url));
            Interlocked.Add(ref _pending, HeaderSize + payload.Length + urlBytes);
            await w.FlushAsync(cancel);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public void Complete() => _pipe.Writer.Complete();

    /// <summary>The producer loop: every record to <paramref name="adapter"/>, until the pipe completes or <paramref name="cancel"/>.</summary>
    public Task RunProducerAsync(IExchangeAdapter adapter, CancellationToken cancel) => RunProducerAsync([adapter], cancel);

    /// <summary>The producer loop for several exchanges: each record to the adapter its source byte names.</summary>
    public async Task RunProducerAsync(IReadOnlyList<IExchangeAdapter> adapters, CancellationToken cancel)
    {
        var reader = _pipe.Reader;
        try
        {
            while (true)
            {
                ReadResult result;
                try { result = await reader.ReadAsync(cancel); }
                catch (OperationCanceledException) { break; }
                var buffer = result.Buffer;
                var meter = new Metrics.ThreadAllocationMeter();
                meter.Mark();
                _otherAllocated = 0;
                while (TryRecord(ref buffer, adapters)) { }
                // A batch a collection interrupted is not measurable (see ThreadAllocationMeter).
                if (meter.TryTake(out long allocated)) Interlocked.Add(ref _frameAllocated, allocated - _otherAllocated);
                else Interlocked.Increment(ref _batchesUncounted);
                reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted) break;
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private bool TryRecord(ref ReadOnlySequence<byte> buffer, IReadOnlyList<IExchangeAdapter> adapters)
    {
        if (buffer.Length < HeaderSize) return false;
        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        var kind = (RecordKind)header[0];
        var adapter = adapters[header[1] < adapters.Count ? header[1] : 0];
        byte connection = header[3];
        int length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
        long ns = BinaryPrimitives.ReadInt64LittleEndian(header[8..]);
        int urlLength = BinaryPrimitives.ReadInt32LittleEndian(header[16..]);
        long total = HeaderSize + (long)length + urlLength;
        if (buffer.Length < total) return false;
        var payload = buffer.Slice(HeaderSize, length);
        ReadOnlySpan<byte> span;
        if (payload.IsSingleSegment) span = payload.FirstSpan;
        else
        {
            if (_scratch.Length < length) _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
            payload.CopyTo(_scratch);
            span = _scratch.AsSpan(0, length);
        }
        var aware = adapter as IConnectionAware;
        switch (kind)
        {
            case RecordKind.Frame:
                aware?.OnConnection(connection, _addresses[header[1], connection]);
                adapter.OnFrame(span, ns);
                break;
            default:
                long before = GC.GetAllocatedBytesForCurrentThread();
                if (kind == RecordKind.Connect && urlLength > 0) _addresses[header[1], connection] = Encoding.UTF8.GetString(buffer.Slice(HeaderSize + length, urlLength));
                aware?.OnConnection(connection, _addresses[header[1], connection]);
                switch (kind)
                {
                    case RecordKind.Rest:
                        string url = Encoding.UTF8.GetString(buffer.Slice(HeaderSize + length, urlLength));
                        adapter.OnRest(span, ns, url);
                        break;
                    case RecordKind.Connect: adapter.OnSession(StatusKind.Connect, ns); break;
                    case RecordKind.Disconnect: adapter.OnSession(StatusKind.Disconnect, ns); break;
                    case RecordKind.DisconnectTradesOnly: adapter.OnSession(StatusKind.Disconnect, ns, books: false); break;
                    case RecordKind.Rejected:
                        adapter.Counters.Frames++;
                        adapter.Counters.AddMalformed(ReasonText((RejectReason)header[2]), span);
                        break;
                }
                _otherAllocated += GC.GetAllocatedBytesForCurrentThread() - before;
                break;
        }
        buffer = buffer.Slice(total);
        Interlocked.Add(ref _pending, -total);
        return true;
    }
}
