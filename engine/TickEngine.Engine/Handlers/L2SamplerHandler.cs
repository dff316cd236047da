using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Sinks;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Handlers;

/// <summary>
/// Samples the top N levels of each book on a fixed grid of exchange time (default 5 levels every second).
/// It keeps its own copy of every book from the published level changes. The sample at boundary B is the book
/// as of the last update strictly before B, written when the first update at or after B arrives (its receive
/// time is the sample's). No sample is taken while a book is out of sync: from a gap, disconnect or
/// invalid-book marker until a snapshot has been applied in full; boundaries passed meanwhile are skipped, never
/// filled with a later book. Its own thread; allocation-free per event.
/// </summary>
public sealed class L2SamplerHandler : IValueEventHandler<MarketEvent>
{
    private readonly RowOutput _output;
    private readonly int _depth;
    private readonly long _interval;
    private State?[] _states = new State?[16];
    private readonly long[] _prices;
    private readonly long[] _quantities;

    public L2SamplerHandler(RowOutput output, int depth, long intervalNs)
    {
        if (depth is < 1 or > SegmentSchema.MaxDepth) throw new ArgumentOutOfRangeException(nameof(depth));
        if (intervalNs <= 0) throw new ArgumentOutOfRangeException(nameof(intervalNs));
        _output = output;
        _depth = depth;
        _interval = intervalNs;
        _prices = new long[depth];
        _quantities = new long[depth];
    }

    public RowOutput Output => _output;

    /// <summary>Samples taken.</summary>
    public long Samples { get; private set; }

    /// <summary>Boundaries skipped because the book was out of sync.</summary>
    public long SkippedBoundaries { get; private set; }

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        _output.Observe(e.ReceiveTime);
        if (e.Kind == EventKind.BookDelta)
        {
            var s = StateOf(e.InstrumentId);
            long t = e.ExchangeTime;
            if (s.NextBoundary == long.MinValue) s.NextBoundary = Floor(t) + _interval;
            if (t >= s.NextBoundary)
            {
                if (s.Valid)
                {
                    while (t >= s.NextBoundary)
                    {
                        // Imported data without receive times: the sample's receive time repeats its exchange time.
                        bool unknown = (e.Flags & (long)RowFlags.ReceiveTimeUnknown) != 0;
                        Sample(e.InstrumentId, s, s.NextBoundary, unknown ? s.NextBoundary : e.ReceiveTime, unknown ? (long)RowFlags.ReceiveTimeUnknown : 0);
                        s.NextBoundary += _interval;
                    }
                }
                else
                {
                    long skipped = (Floor(t) - s.NextBoundary) / _interval + 1;
                    SkippedBoundaries += skipped;
                    s.NextBoundary = Floor(t) + _interval;
                }
            }
            s.Rebuilder.Apply(e);
        }
        else if (e.Kind == EventKind.Status) StateOf(e.InstrumentId).Rebuilder.Apply(e);
        if (endOfBatch) _output.EndOfBatch();
    }

    private void Sample(int instrumentId, State s, long boundary, long receiveNs, long flags)
    {
        var row = _output.Row;
        row[L2Columns.ExchangeTime] = boundary;
        row[L2Columns.ReceiveTime] = receiveNs;
        row[L2Columns.UpdateId] = s.Book.UpdateId;
        row[L2Columns.Flags] = flags;
        int bids = s.Book.CopyTop(BookSide.Bid, _prices, _quantities);
        for (int i = 0; i < _depth; i++)
        {
            row[L2Columns.BidPrice(i)] = i < bids ? _prices[i] : 0;
            row[L2Columns.BidPrice(i) + 1] = i < bids ? _quantities[i] : 0;
        }
        int asks = s.Book.CopyTop(BookSide.Ask, _prices, _quantities);
        for (int i = 0; i < _depth; i++)
        {
            row[L2Columns.AskPrice(_depth, i)] = i < asks ? _prices[i] : 0;
            row[L2Columns.AskPrice(_depth, i) + 1] = i < asks ? _quantities[i] : 0;
        }
        row[L2Columns.BidCount] = bids;
        row[L2Columns.AskCount] = asks;
        _output.Append(instrumentId);
        Samples++;
    }

    private long Floor(long t) => t - (((t % _interval) + _interval) % _interval);

    private State StateOf(int id) => InstrumentSlots.At(ref _states, id) ??= new State();

    public void OnTimeout(long sequence) => _output.OnIdle();

    public void OnShutdown() => _output.Dispose();

    private sealed class State
    {
        public readonly BookRebuilder Rebuilder = new();
        public OrderBook Book => Rebuilder.Book;
        public bool Valid => Rebuilder.Valid;
        public long NextBoundary = long.MinValue;
    }
}
