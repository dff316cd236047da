using CsCheck;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Research;
using TickEngine.Engine.Venues;
using TickEngine.Storage.Format;
using Xunit;

namespace TickEngine.Engine.Tests.Research;

/// <summary>
/// The backtest's two clocks: the exchange acts on events in exchange-time order, the strategy hears of each at its
/// receive time (brought onto the exchange's clock by the feed's offset), in receive-time order, with a book of its
/// own. Checked as properties over random feeds whose streams (book, trades) have their own delays, so receive
/// order and exchange order differ, and against a receive clock running 1.27 s behind the exchange's.
/// </summary>
public class FeedClockTests
{
    private const long T = 1_786_310_000_000_000_000;

    private sealed class Recorder : IStrategy
    {
        public readonly List<(long Now, long ExchangeNow, long EventReceive, long EventExchange)> Decisions = new();
        public string Name => "recorder";
        public void OnBook(StrategyContext ctx, OrderBook book)
        {
            Decisions.Add((ctx.NowNs, ctx.ExchangeNowNs, 0, ctx.EventExchangeNs));
            if (ctx.OrdersSent < 50 && book.TryBestBid(out long bid, out _)) ctx.Buy(OrderType.Limit, 1, bid);
        }
        public void OnTrade(StrategyContext ctx, in MarketEvent trade) => Decisions.Add((ctx.NowNs, ctx.ExchangeNowNs, trade.ReceiveTime, trade.ExchangeTime));
    }

    private static MarketEvent Delta(BookSide side, long price, long qty, long x, long r, long flags = (long)RowFlags.LastInMessage) =>
        new() { Kind = EventKind.BookDelta, Side = (byte)side, Price = price, Quantity = qty, ExchangeTime = x, ReceiveTime = r, Flags = flags };

    private static MarketEvent Trade(long price, long qty, long x, long r) =>
        new() { Kind = EventKind.Trade, Side = (byte)TradeSide.Sell, Price = price, Quantity = qty, ExchangeTime = x, ReceiveTime = r };

    /// <summary>A feed: a snapshot, then per step a book change (book delay) and a trade (trade delay), in exchange order.</summary>
    private static List<MarketEvent> Feed((int Gap, int BookDelay, int TradeDelay, int Qty)[] steps, long offset)
    {
        var events = new List<MarketEvent>();
        long x = T, lastBookR = long.MinValue, lastTradeR = long.MinValue;
        const long snap = (long)RowFlags.FromSnapshot;
        events.Add(Delta(BookSide.Bid, 100, 10, x, x + offset, snap | (long)RowFlags.SnapshotBegins));
        events.Add(Delta(BookSide.Ask, 101, 10, x, x + offset, snap | (long)RowFlags.LastInMessage));
        lastBookR = x + offset;
        foreach (var (gap, bookDelay, tradeDelay, qty) in steps)
        {
            x += gap * 1_000_000L;
            // One connection per stream delivers in order: a stream's receive times never go back.
            long br = Math.Max(lastBookR, x + offset + bookDelay * 1_000_000L);
            events.Add(Delta(BookSide.Bid, 100, qty, x, br));
            lastBookR = br;
            long tr = Math.Max(lastTradeR, x + offset + tradeDelay * 1_000_000L);
            events.Add(Trade(100, 1, x, tr));
            lastTradeR = tr;
        }
        return events; // in exchange-time order (stable: each stream in its stored order)
    }

    private static readonly Gen<(int, int, int, int)[]> Steps = Gen.Select(Gen.Int[0, 30], Gen.Int[0, 200], Gen.Int[0, 250], Gen.Int[1, 40]).Array[1, 80];

    [Fact]
    public void NoDecisionEverSeesAnEventBeforeItsReceiveTimeAndTheStrategySeesReceiveOrder()
    {
        long offset = -1_270_000_000; // the receive clock 1.27 s behind the exchange's, as on the real captures
        long reordered = 0;
        Steps.Sample(steps =>
        {
            var feed = Feed(steps, offset);
            long theta = feed.Min(e => e.ReceiveTime - e.ExchangeTime); // the estimate: least receive - exchange
            var seen = new List<(long Step, MarketEvent Event)>();
            var strategy = new Recorder();
            var sim = new ExecutionSimulator(new MoneyScale(0, 0), QueueModel.RiskAverse, LatencyModel.Fixed(3_000_000, 3_000_000), default) { DeliverFills = true, KeepHistory = true };
            var backtest = new Backtest(0, sim, strategy, sampleNs: 1_000_000_000, clock: FeedClock.Given(theta)) { OnStrategyStep = (t, e) => seen.Add((t, e)) };
            foreach (var e in feed) { var c = e; backtest.OnEvent(ref c, 0, false); }
            backtest.Finish();
            bool ok = seen.Count == feed.Count;
            for (int i = 0; i < seen.Count; i++)
            {
                var (step, e) = seen[i];
                ok &= step == e.ReceiveTime;                        // heard of exactly at its receive time, never before
                if (i > 0) ok &= step >= seen[i - 1].Step;           // in receive-time order
            }
            // Every event received before a decision was seen before it: the strategy is never behind its feed either.
            foreach (var d in strategy.Decisions)
                ok &= feed.Where(e => e.ReceiveTime < d.Now).All(e => seen.Any(s => s.Step < d.Now && s.Event.ReceiveTime == e.ReceiveTime && s.Event.ExchangeTime == e.ExchangeTime));
            // Orders leave at the strategy's time on the exchange's clock and arrive after the latency, after the event they answer.
            ok &= sim.Orders.All(o => o.ArrivalNs == o.DecisionNs + 3_000_000);
            ok &= strategy.Decisions.All(d => d.ExchangeNow == d.Now - theta && d.ExchangeNow >= d.EventExchange);
            if (seen.Select(s => s.Event.ExchangeTime).Zip(seen.Skip(1).Select(s => s.Event.ExchangeTime)).Any(p => p.Second < p.First)) Interlocked.Increment(ref reordered);
            return ok;
        }, iter: 400);
        Assert.True(reordered > 100, $"only {reordered} feeds arrived out of exchange order: the property would say little");
    }

    [Fact]
    public void WithNoFeedDelayTheStrategySeesEachEventAtItsExchangeTime()
    {
        var feed = Feed([(5, 150, 10, 7), (1, 0, 200, 3), (2, 90, 0, 9)], -1_270_000_000);
        var seen = new List<(long, MarketEvent)>();
        var sim = new ExecutionSimulator(new MoneyScale(0, 0), QueueModel.RiskAverse, LatencyModel.Fixed(0, 0), default) { DeliverFills = true };
        var backtest = new Backtest(0, sim, new Recorder(), clock: FeedClock.None) { OnStrategyStep = (t, e) => seen.Add((t, e)) };
        foreach (var e in feed) { var c = e; backtest.OnEvent(ref c, 0, false); }
        backtest.Finish();
        Assert.Equal(feed.Select(e => e.ExchangeTime), seen.Select(s => s.Item1));
    }

    [Fact]
    public void ATradeReceivedLaterThanABookChangeIsSeenAfterItWhateverTheirExchangeOrder()
    {
        // Exchange order: trade at x+1, book change at x+2. Received: the book change 10 ms after x+2, the trade 180 ms
        // after x+1. The strategy must decide on the book change without knowing of the trade.
        long o = -1_000_000_000;
        var feed = new List<MarketEvent>
        {
            Delta(BookSide.Bid, 100, 10, T, T + o, (long)(RowFlags.FromSnapshot | RowFlags.SnapshotBegins)),
            Delta(BookSide.Ask, 101, 10, T, T + o, (long)(RowFlags.FromSnapshot | RowFlags.LastInMessage)),
            Trade(100, 1, T + 1_000_000, T + 1_000_000 + o + 180_000_000),
            Delta(BookSide.Bid, 100, 12, T + 2_000_000, T + 2_000_000 + o + 10_000_000),
        };
        var strategy = new Recorder();
        var sim = new ExecutionSimulator(new MoneyScale(0, 0), QueueModel.RiskAverse, LatencyModel.Fixed(0, 0), default) { DeliverFills = true };
        var backtest = new Backtest(0, sim, strategy, clock: FeedClock.Given(o));
        foreach (var e in feed) { var c = e; backtest.OnEvent(ref c, 0, false); }
        backtest.Finish();
        // Decisions: the snapshot's end, the book change (12 ms), then the trade (181 ms), in that order.
        Assert.Equal([T + o, T + o + 12_000_000, T + o + 181_000_000], strategy.Decisions.Select(d => d.Now));
        Assert.Equal(T + 1_000_000, strategy.Decisions[^1].EventExchange);
    }

    [Fact]
    public void TwoVenuesOnTheirOwnClocksAreHeardInOneReceiveTimeOrder()
    {
        // Venue A's clock runs with the recorder's; venue B's 250 ms ahead. Each venue's events arrive in its own
        // exchange order with its own delays; the ring carries them merged by exchange time (B's look later).
        long lead = 250_000_000;
        Steps.Sample(steps =>
        {
            var a = Feed(steps, 0);
            var b = Feed(steps, -lead).Select(e => { var c = e; c.InstrumentId = 1; c.ReceiveTime += 7_000_000; return c; }).ToList();
            var merged = a.Concat(b).OrderBy(e => e.ExchangeTime).ToList(); // stable: each stream keeps its order
            long thetaA = a.Min(e => e.ReceiveTime - e.ExchangeTime), thetaB = b.Min(e => e.ReceiveTime - e.ExchangeTime);
            var seen = new List<(long Step, MarketEvent Event)>();
            ExecutionSimulator Sim() => new(new MoneyScale(0, 0), QueueModel.RiskAverse, LatencyModel.Fixed(0, 0), default) { DeliverFills = true };
            var backtest = new Backtest([new LegSpec(0, "a/X", Sim(), FeedClock.Given(thetaA)), new LegSpec(1, "b/X", Sim(), FeedClock.Given(thetaB))], new Recorder())
            {
                OnStrategyStep = (t, e) => seen.Add((t, e)),
            };
            foreach (var e in merged) { var c = e; backtest.OnEvent(ref c, 0, false); }
            backtest.Finish();
            bool ok = seen.Count == merged.Count;
            for (int i = 0; i < seen.Count; i++)
            {
                ok &= seen[i].Step == seen[i].Event.ReceiveTime;     // each heard at its receive time
                if (i > 0) ok &= seen[i].Step >= seen[i - 1].Step;    // one receive-time order across both venues
            }
            // Each venue's exchange acted in its own exchange order.
            ok &= backtest.Legs.All(l => l.Exchange.Now == merged.Where(e => e.InstrumentId == l.InstrumentId).Max(e => e.ExchangeTime));
            return ok;
        }, iter: 200);
    }
}
