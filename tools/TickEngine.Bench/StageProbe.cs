using TickEngine.Engine.Events;
using TickEngine.Engine.Metrics;
using TickEngine.Storage.Format;

namespace TickEngine.Bench;

/// <summary>
/// The latency bench's probe: one symbol's trades, each followed from the simulator's send schedule to its row
/// committed in the segment. Times come from the market thread (intended send), the frame's receive time (stamped
/// when the WebSocket message was read), the producer (published on the ring), and the trade writer (row appended,
/// rows committed). Every histogram is recorded on the trade writer's thread; nothing here allocates.
/// </summary>
public sealed class StageProbe : ILatencyProbe
{
    /// <summary>The stages, in path order, with the names of their .hgrm files.</summary>
    public static readonly string[] StageNames =
    [
        "send-to-receive",     // simulator's intended send -> WebSocket message read by the recorder
        "receive-to-parsed",   // message read -> parsed and published on the ring (frame pipe, parse)
        "ring-handoff",        // published -> the trade writer has appended it as a row (ring hand-off)
        "handler-commit",      // row appended -> row committed in the mapped segment (block encode, commit)
        "send-to-appended",    // intended send -> row appended
        "end-to-end",          // intended send -> row committed
    ];

    public const int SendToReceive = 0, ReceiveToParsed = 1, RingHandoff = 2, HandlerCommit = 3, SendToAppended = 4, EndToEnd = 5;

    // Rings of times, indexed modulo their size (a power of two larger than the trades in flight at once):
    private readonly long[] _intended;      // by trade index (trade id - first id): the schedule's send time
    private readonly long[] _appended;      // by trade index: when its row was appended
    private readonly long[] _rowTrade;      // by row number: trade index
    private readonly long _window;
    private readonly long[] _published;     // by ring slot: when the slot was published
    private readonly long _mask;
    private long _firstTradeId = -1;
    private long _rows;
    private long _committed;
    private long _lastTradeId = -1;
    private long _measureFrom = long.MaxValue, _measureTo = long.MaxValue;

    /// <param name="inFlight">More than the trades that can be between send and commit at once (rounded up to a power of two).</param>
    /// <param name="ringSize">The recorder's ring size.</param>
    public StageProbe(int inFlight, int ringSize)
    {
        int capacity = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(inFlight, 1024));
        _window = capacity - 1;
        _intended = new long[capacity];
        _appended = new long[capacity];
        _rowTrade = new long[capacity];
        _published = new long[ringSize];
        _mask = ringSize - 1;
        Stages = StageNames.Select(_ => new HdrHistogram(1, 3_600_000_000_000, 3)).ToArray();
    }

    /// <summary>Histograms in <see cref="StageNames"/> order, nanoseconds, 3 significant digits.</summary>
    public HdrHistogram[] Stages { get; }

    /// <summary>Trades handled whose id did not follow the previous one (a trade lost or stored twice).</summary>
    public long IdBreaks { get; private set; }

    /// <summary>Trades measured (sent inside the measured window and committed).</summary>
    public long Measured => Stages[EndToEnd].TotalCount;

    /// <summary>Rows of trades appended and committed so far.</summary>
    public long RowsAppended => Volatile.Read(ref _rows);
    public long RowsCommitted => Volatile.Read(ref _committed);

    /// <summary>Trades whose intended send time falls in [from, to) are measured.</summary>
    public void MeasureWindow(long fromNs, long toNs)
    {
        Volatile.Write(ref _measureTo, toNs);
        Volatile.Write(ref _measureFrom, fromNs);
    }

    /// <summary>The market's thread: trade <paramref name="tradeId"/> was meant to go out at <paramref name="intendedNs"/>.</summary>
    public void Sent(long tradeId, long intendedNs)
    {
        if (_firstTradeId < 0) Volatile.Write(ref _firstTradeId, tradeId);
        Volatile.Write(ref _intended[(tradeId - _firstTradeId) & _window], intendedNs);
    }

    public void Published(long first, long last, long nowNs)
    {
        for (long s = first; s <= last; s++) _published[s & _mask] = nowNs;
    }

    public void Handled(SchemaKind schema, long sequence, in MarketEvent e, long nowNs)
    {
        if (schema != SchemaKind.Trades) return;
        if (_lastTradeId >= 0 && e.Id != _lastTradeId + 1) IdBreaks++;
        _lastTradeId = e.Id;
        long first = Volatile.Read(ref _firstTradeId);
        if (first < 0 || e.Id < first) return;
        long i = (e.Id - first) & _window;
        long row = _rows;
        _rowTrade[row & _window] = i;
        Volatile.Write(ref _rows, row + 1);
        _appended[i] = nowNs;
        long intended = Volatile.Read(ref _intended[i]);
        if (intended < _measureFrom || intended >= _measureTo) return;
        long published = _published[sequence & _mask];
        Record(SendToReceive, e.ReceiveTime - intended);
        Record(ReceiveToParsed, published - e.ReceiveTime);
        Record(RingHandoff, nowNs - published);
        Record(SendToAppended, nowNs - intended);
    }

    public void Committed(SchemaKind schema, long committedRows, long nowNs)
    {
        if (schema != SchemaKind.Trades) return;
        long upTo = Math.Min(committedRows, _rows);
        for (long row = _committed; row < upTo; row++)
        {
            long i = _rowTrade[row & _window];
            long intended = _intended[i];
            if (intended < _measureFrom || intended >= _measureTo) continue;
            Record(HandlerCommit, nowNs - _appended[i]);
            Record(EndToEnd, nowNs - intended);
        }
        Volatile.Write(ref _committed, Math.Max(_committed, upTo));
    }

    private void Record(int stage, long ns) => Stages[stage].RecordValue(Math.Max(0, ns));
}
