using System.Text;
using System.Threading.Channels;
using TickEngine.Cli.Csv;
using TickEngine.Engine.Sinks;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Service;

/// <summary>
/// One message of a stream: its sequence (1, 2, ... per stream in this run) and its row as JSON; or, first for a
/// subscriber of a book stream, the book the stream's rows had made at that sequence (<see cref="Snapshot"/>).
/// </summary>
public readonly record struct StreamMessage(long Sequence, byte[] Json, bool Snapshot = false);

/// <summary>
/// A subscriber of one stream: a bounded queue the hub fills without ever waiting; when it is full the subscriber is
/// dropped with a reason (capture is never slowed by a slow reader).
/// </summary>
public sealed class Subscriber(StreamKey stream, int capacity)
{
    private readonly Channel<StreamMessage> _queue = Channel.CreateBounded<StreamMessage>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public StreamKey Stream => stream;
    public ChannelReader<StreamMessage> Messages => _queue.Reader;
    public string? DropReason { get; private set; }

    /// <summary>False (and the subscriber ended, with its reason) when the queue is full.</summary>
    internal bool Offer(in StreamMessage m)
    {
        if (DropReason is not null) return false;
        if (_queue.Writer.TryWrite(m)) return true;
        Drop($"dropped: its queue of {capacity:N0} messages was full (a subscriber that does not keep up)");
        return false;
    }

    internal void Drop(string reason)
    {
        DropReason ??= reason;
        _queue.Writer.TryComplete();
    }
}

/// <summary>
/// Pub/sub of committed rows as a sink: each stream (exchange, symbol, schema) numbers its rows 1, 2, ... in this
/// run, formats each once as export's JSON, and hands it to every subscriber of the stream. A subscriber that asks
/// for history from a time first gets the stream's stored rows up to exactly where its live messages begin (the
/// segment position the hub had reached when it subscribed), so nothing is missed or doubled at the seam.
/// Not durable; a row given twice after a failure is recognised by its position and not sent again.
/// </summary>
public sealed class StreamHub(int queueCapacity = 10_000, int maxSubscribers = 2_000) : ISink
{
    private readonly Lock _lock = new();
    private readonly Dictionary<StreamKey, StreamState> _streams = new();
    private int _subscribers;
    private long _dropped;

    private sealed class StreamState
    {
        public long Sequence;
        public (long Day, int Part, long Row) Position = (long.MinValue, 0, 0); // the end of what was published
        public readonly List<Subscriber> Subscribers = new();
        public byte[][]? Names;
        public byte[]? Symbol, Exchange;
        // Book streams: the book the published level changes make (price -> quantity), and their scales.
        public SortedDictionary<long, long>? Bids, Asks;
        public int PriceScale, QuantityScale;
    }

    /// <summary>The book a deltas stream's rows have made, as JSON: best levels first.</summary>
    private static byte[] BookJson(StreamState s)
    {
        var sb = new StringBuilder("{\"bids\":[");
        bool first = true;
        foreach (var (p, q) in s.Bids!.Reverse())
        {
            sb.Append(first ? "" : ",").Append("[\"").Append(Storage.Numerics.FixedDecimal.ToString(p, s.PriceScale)).Append("\",\"").Append(Storage.Numerics.FixedDecimal.ToString(q, s.QuantityScale)).Append("\"]");
            first = false;
        }
        sb.Append("],\"asks\":[");
        first = true;
        foreach (var (p, q) in s.Asks!)
        {
            sb.Append(first ? "" : ",").Append("[\"").Append(Storage.Numerics.FixedDecimal.ToString(p, s.PriceScale)).Append("\",\"").Append(Storage.Numerics.FixedDecimal.ToString(q, s.QuantityScale)).Append("\"]");
            first = false;
        }
        return Encoding.UTF8.GetBytes(sb.Append("]}").ToString());
    }

    public string Name => "streams";
    public string Target => "streams:memory";
    public bool Durable => false;
    public bool Accepts(SchemaKind schema) => schema is SchemaKind.Trades or SchemaKind.Quotes or SchemaKind.Bars or SchemaKind.Status or SchemaKind.Deltas;
    public int Subscribers { get { lock (_lock) return _subscribers; } }
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>A new subscriber of <paramref name="stream"/>, with where its live messages begin (null: too many subscribers).</summary>
    public (Subscriber Subscriber, (long Day, int Part, long Row) From)? Subscribe(StreamKey stream)
    {
        lock (_lock)
        {
            if (_subscribers >= maxSubscribers) return null;
            if (!_streams.TryGetValue(stream, out var s)) _streams[stream] = s = new StreamState();
            var sub = new Subscriber(stream, queueCapacity);
            // A book stream starts with the book as of the last published change; its changes follow from the next sequence.
            if (stream.Schema == SchemaKind.Deltas && s.Bids is not null) sub.Offer(new StreamMessage(s.Sequence, BookJson(s), Snapshot: true));
            s.Subscribers.Add(sub);
            _subscribers++;
            return (sub, s.Position);
        }
    }

    public void Unsubscribe(Subscriber sub)
    {
        lock (_lock)
            if (_streams.TryGetValue(sub.Stream, out var s) && s.Subscribers.Remove(sub)) _subscribers--;
        sub.Drop("unsubscribed");
    }

    /// <summary>
    /// Before the recording starts: each stored stream's end (its last segment's rows), where this run's rows begin.
    /// A stream with no stored rows begins with this run: its history is what comes live.
    /// </summary>
    public void Prime(string root)
    {
        var last = new Dictionary<StreamKey, string>();
        foreach (var path in DataRoot.FindSegments(root))
        {
            string schemaDir = Path.GetDirectoryName(path)!, symbolDir = Path.GetDirectoryName(schemaDir)!;
            if (!SegmentSchema.TryParseName(Path.GetFileName(schemaDir), out var kind) || !Accepts(kind)) continue;
            last[new StreamKey(Path.GetFileName(Path.GetDirectoryName(symbolDir)!), Path.GetFileName(symbolDir), kind)] = path; // paths come in order: the last wins
        }
        lock (_lock)
            foreach (var (key, path) in last)
            {
                if (!DataRoot.TryParseName(path, out long day, out int part)) continue;
                try
                {
                    using var reader = SegmentReader.Open(path);
                    if (!_streams.TryGetValue(key, out var s)) _streams[key] = s = new StreamState();
                    s.Position = (day, part, reader.TotalRows);
                }
                catch (StorageFormatException) { }
            }
    }

    public ValueTask<IReadOnlyList<SinkDurable>> OpenAsync(CancellationToken cancel) => ValueTask.FromResult<IReadOnlyList<SinkDurable>>([]);

    public ValueTask WriteAsync(RowBatch batch, CancellationToken cancel)
    {
        var schema = batch.Schema;
        Span<long> row = stackalloc long[schema.ColumnCount];
        using var buffer = new MemoryStream(256);
        lock (_lock)
        {
            if (!_streams.TryGetValue(batch.Stream, out var s)) _streams[batch.Stream] = s = new StreamState();
            s.Names ??= ExportLayout.QuotedNames(schema);
            s.Symbol ??= Encoding.ASCII.GetBytes(batch.Stream.Symbol);
            s.Exchange ??= Encoding.ASCII.GetBytes(batch.Stream.Exchange);
            var start = batch.Start;
            for (int i = 0; i < batch.Count; i++)
            {
                var at = (start.Day, start.Part, start.Row + i);
                if (s.Position.Day != long.MinValue && at.CompareTo(s.Position) < 0) continue; // given again after a failure: sent already
                s.Position = (at.Day, at.Part, at.Item3 + 1);
                s.Sequence++;
                batch.CopyRow(i, row);
                if (schema.Kind == SchemaKind.Deltas) ApplyLevel(s, schema, row);
                if (s.Subscribers.Count == 0) continue;
                buffer.SetLength(0);
                using (var o = new Utf8Output(buffer)) ExportLayout.WriteJson(o, schema, row, s.Symbol, s.Exchange, s.Names);
                var json = buffer.ToArray().AsSpan(0, (int)buffer.Length - 1).ToArray(); // without the newline
                var m = new StreamMessage(s.Sequence, json);
                for (int k = s.Subscribers.Count - 1; k >= 0; k--)
                    if (!s.Subscribers[k].Offer(m))
                    {
                        s.Subscribers.RemoveAt(k);
                        _subscribers--;
                        Interlocked.Increment(ref _dropped);
                    }
            }
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>One stored level change on the stream's book: a snapshot's first row (or a reset) empties it first; quantity 0 removes the level.</summary>
    private static void ApplyLevel(StreamState s, SegmentSchema schema, ReadOnlySpan<long> row)
    {
        s.Bids ??= new SortedDictionary<long, long>();
        s.Asks ??= new SortedDictionary<long, long>();
        s.PriceScale = schema.Columns[DeltaColumns.Price].Scale;
        s.QuantityScale = schema.Columns[DeltaColumns.Quantity].Scale;
        long flags = row[DeltaColumns.Flags];
        if ((flags & ((long)RowFlags.SnapshotBegins | (long)RowFlags.BookReset)) != 0) { s.Bids.Clear(); s.Asks.Clear(); }
        var side = (BookSide)row[DeltaColumns.Side] switch { BookSide.Bid => s.Bids, BookSide.Ask => s.Asks, _ => null };
        if (side is null) return;
        if (row[DeltaColumns.Quantity] == 0) side.Remove(row[DeltaColumns.Price]);
        else side[row[DeltaColumns.Price]] = row[DeltaColumns.Quantity];
    }

    /// <summary>
    /// The stream's stored rows with exchange time at or after <paramref name="fromNs"/> and before position
    /// <paramref name="until"/> (where the subscriber's live messages begin), as JSON, read from the segments.
    /// </summary>
    public static IEnumerable<byte[]> History(string root, StreamKey stream, long fromNs, (long Day, int Part, long Row) until)
    {
        if (until.Day == long.MinValue) yield break; // nothing stored before this run, nothing published yet: all of it comes live
        using var buffer = new MemoryStream(256);
        byte[] symbol = Encoding.ASCII.GetBytes(stream.Symbol), exchange = Encoding.ASCII.GetBytes(stream.Exchange);
        foreach (var path in DataRoot.FindSegments(root, stream.Schema, stream.Symbol, stream.Exchange))
        {
            if (!DataRoot.TryParseName(path, out long day, out int part)) continue;
            if ((day, part).CompareTo((until.Day, until.Part)) > 0) break;
            using var reader = SegmentReader.Open(path);
            var names = ExportLayout.QuotedNames(reader.Schema);
            using var cur = new SegmentCursor(reader, ownsReader: false);
            long n = 0;
            var row = new long[reader.Schema.ColumnCount];
            while (cur.MoveNext())
            {
                if ((day, part, n).CompareTo(until) >= 0) yield break;
                n++;
                if (cur[0] < fromNs) continue;
                for (int k = 0; k < row.Length; k++) row[k] = cur[k];
                buffer.SetLength(0);
                using (var o = new Utf8Output(buffer)) ExportLayout.WriteJson(o, reader.Schema, row, symbol, exchange, names);
                yield return buffer.ToArray().AsSpan(0, (int)buffer.Length - 1).ToArray();
            }
        }
    }

    public ValueTask<SinkFlushResult> FlushAsync(SinkFlushKind kind, CancellationToken cancel) => ValueTask.FromResult(SinkFlushResult.None);
    public ValueTask<IReadOnlyList<SinkDurable>> RecoverAsync(CancellationToken cancel) => ValueTask.FromResult<IReadOnlyList<SinkDurable>>([]);
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
