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
/// time is the sample's). No sample is taken while a book is out of sync: from a gap, disconnect, invalid-book or
/// scale-change marker until a snapshot has been applied in full; boundaries passed meanwhile are skipped, never
/// filled with a later book.
/// <para>Nothing is sampled for a time the data does not cover. Where receive and exchange clocks run together (live
/// feeds and their captures, whose exchange times are bounded against receive times), no boundary is sampled across
/// a stretch of exchange time between two messages of a book that is longer than the receive time that passed over
/// it plus <see cref="MaxUncoveredJump"/>: a snapshot whose levels last changed an hour before we received it says
/// nothing of the book in that hour, and an exchange time far ahead of the last is a jump, not a quiet book. So a
/// run's samples are bounded by its receive-time span. Where they do not (data without receive times, bounded where
/// it is read; a recording played back at any speed), no stretch longer than <see cref="MaxQuietStretch"/> is
/// sampled across. Its own thread; allocation-free per event.</para>
/// </summary>
public sealed class L2SamplerHandler : IValueEventHandler<MarketEvent>
{
    private readonly RowOutput _output;
    private readonly int _depth;
    private readonly long _interval;
    private State?[] _states = new State?[16];
    private readonly long[] _prices;
    private readonly long[] _quantities;

    private readonly bool _clocksComparable;

    /// <param name="clocksComparable">Receive and exchange times advance together (a live feed or its capture, skew
    /// bounded): stretches are bounded by receive time; false for playback at any speed.</param>
    public L2SamplerHandler(RowOutput output, int depth, long intervalNs, bool clocksComparable = true)
    {
        _clocksComparable = clocksComparable;
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

    /// <summary>How much more exchange time than receive time may pass between two messages of a book before the
    /// stretch is a jump the data does not cover (no sample across it).</summary>
    public const long MaxUncoveredJump = 10_000_000_000;

    /// <summary>Where receive times say nothing of exchange time: the longest stretch between two messages sampled across.</summary>
    public const long MaxQuietStretch = 3_600_000_000_000;

    /// <summary>
    /// True when the stretch of exchange time from (<paramref name="lastExchange"/>, <paramref name="lastReceive"/>) to
    /// (<paramref name="exchange"/>, <paramref name="receive"/>) is covered by the data: by the receive time that passed
    /// over it where <paramref name="clocksComparable"/>, else by <see cref="MaxQuietStretch"/>.
    /// </summary>
    public static bool Covered(long lastExchange, long lastReceive, long exchange, long receive, bool clocksComparable)
    {
        if (lastReceive == long.MinValue) return true;
        long span = exchange - lastExchange;
        return clocksComparable ? span <= receive - lastReceive + MaxUncoveredJump : span <= MaxQuietStretch;
    }

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        _output.Observe(e);
        if (e.Kind == EventKind.BookDelta)
        {
            var s = StateOf(e.InstrumentId);
            long t = e.ExchangeTime, r = e.ReceiveTime;
            bool unknown = (e.Flags & (long)RowFlags.ReceiveTimeUnknown) != 0;
            if (s.NextBoundary == long.MinValue) s.NextBoundary = Floor(t) + _interval;
            if (t >= s.NextBoundary)
            {
                bool covered = Covered(s.LastExchange, s.LastReceive, t, r, _clocksComparable && !unknown);
                if (s.Valid && covered)
                {
                    while (t >= s.NextBoundary)
                    {
                        // Imported data without receive times: the sample's receive time repeats its exchange time.
                        Sample(e.InstrumentId, s, s.NextBoundary, unknown ? s.NextBoundary : r, unknown ? (long)RowFlags.ReceiveTimeUnknown : 0);
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
            s.LastExchange = t;
            s.LastReceive = r;
        }
        else if (e.Kind == EventKind.Status) StateOf(e.InstrumentId).Rebuilder.Apply(e);
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
        public long LastExchange = long.MinValue, LastReceive = long.MinValue;
    }
}
