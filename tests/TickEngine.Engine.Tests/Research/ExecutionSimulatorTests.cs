using TickEngine.Engine.Venues;
using CsCheck;
using TickEngine.Engine.Events;
using TickEngine.Engine.Research;
using TickEngine.Storage.Format;
using Xunit;
using static TickEngine.Engine.Tests.Research.SimEvents;

namespace TickEngine.Engine.Tests.Research;

/// <summary>
/// The execution simulator on books small enough to compute by hand: every fill, price and queue position is
/// known for each queue model; latency, a book out of sync, fees; and the properties every run must keep.
/// Prices and quantities are plain integers here (mantissas at scale 0).
/// </summary>
public class ExecutionSimulatorTests
{
    private static readonly MoneyScale Units = new(0, 0);





    /// <summary>The same snapshot through a backtest (the exchange and the strategy's own book both get it).</summary>
    private static void SnapshotThrough(Backtest backtest, long t, long bid100 = 10)
    {
        foreach (var e in SnapshotEvents(t, bid100))
        {
            var copy = e;
            backtest.OnEvent(ref copy, 0, false);
        }
    }

    private static ExecutionSimulator Sim(QueueModel? model = null, long entryNs = 0, long cancelNs = 0, FeeSchedule fees = default) =>
        new(Units, model ?? QueueModel.RiskAverse, LatencyModel.Fixed(entryNs, cancelNs), fees) { DeliverFills = true };

    [Fact]
    public void AMarketOrderWalksTheBookLevelByLevelAndReportsWhatTheBookCouldNotAbsorb()
    {
        var sim = Sim(fees: FeeSchedule.FromBps(1m, 5m));
        Snapshot(sim, T);
        var o = sim.Submit(OrderSide.Buy, OrderType.Market, 0, 30, T);
        sim.Act(T);
        Assert.Equal([(101L, 8L), (102L, 20L)], sim.Fills.Select(f => (f.Price, f.Quantity)).ToArray());
        Assert.Equal(OrderStatus.Unfillable, o.Status);
        Assert.Equal(28, o.Filled);
        Assert.Equal("the book ran out: 28 of 30 filled", o.Reason);
        Assert.Equal((100L, 101L), (o.ArrivalBid, o.ArrivalAsk));
        // Taker fee 5 bp = 500 hundredths: 101 x 8 x 500 and 102 x 20 x 500 millionths.
        Int128 fees = 0;
        foreach (var f in sim.Fills) fees += f.Fee;
        Assert.Equal((Int128)(101 * 8 * 500 + 102 * 20 * 500), fees);
        Assert.Equal("1.424", Units.ToText(fees)); // in quote units: (808 + 2040) x 5 bp
        Assert.All(sim.Fills, f => Assert.False(f.Maker));
        // The replayed book is history: the order took nothing from it.
        Assert.Equal(8, sim.Book.Book.QuantityAt(BookSide.Ask, 101));
    }

    [Fact]
    public void RiskAverseQueueOnlyTradesAdvanceTheOrder()
    {
        var sim = Sim();
        Snapshot(sim, T);
        var o = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, 5, T);
        sim.Act(T);
        Assert.Equal((OrderStatus.Resting, 10L), (o.Status, o.Ahead));      // behind the 10 displayed at placement
        sim.OnEvent(Level(BookSide.Bid, 100, 6, T + 1));                     // 4 cancelled: risk-averse says all behind us...
        Assert.Equal(6, o.Ahead);                                            // ...but no more than the level holds can be ahead
        sim.OnEvent(Trade(TradeSide.Sell, 100, 4, T + 2));                   // 4 traded: 2 ahead
        Assert.Equal(2, o.Ahead);
        sim.OnEvent(Level(BookSide.Bid, 100, 2, T + 2));                     // the book shows the trade: no cancel, no change
        Assert.Equal(2, o.Ahead);
        Assert.Empty(sim.Fills);
        sim.OnEvent(Trade(TradeSide.Sell, 100, 3, T + 3));                   // 2 ahead gone, 1 fills us
        sim.OnEvent(Trade(TradeSide.Buy, 100, 50, T + 4));                   // a buyer: never fills a resting buy
        sim.OnEvent(Trade(TradeSide.Sell, 100, 10, T + 5));                  // the other 4
        Assert.Equal([(T + 3, 100L, 1L), (T + 5, 100L, 4L)], sim.Fills.Select(f => (f.TimeNs, f.Price, f.Quantity)).ToArray());
        Assert.All(sim.Fills, f => Assert.True(f.Maker));
        Assert.Equal(OrderStatus.Filled, o.Status);
    }

    [Theory]
    [InlineData("risk-averse", 1000)]
    [InlineData("power1", 867)]  // p(behind) = 2000 / 3000: 133.3 of the 400 ahead, rounded to keep us back: 133
    [InlineData("power2", 920)]  // p = 2000^2 / (1000^2 + 2000^2) = 0.8: 80 ahead
    [InlineData("log", 810)]     // p = ln 2001 / (ln 1001 + ln 2001) = 0.52387: 190.45 ahead -> 190
    public void ProbabilisticModelsMoveTheOrderByTheShareOfACancelAheadOfIt(string model, long expectedAhead)
    {
        var sim = Sim(QueueModel.Parse(model));
        Snapshot(sim, T, bid100: 1000);
        var o = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, 50, T);
        sim.Act(T);
        Assert.Equal(1000, o.Ahead);
        sim.OnEvent(Level(BookSide.Bid, 100, 3000, T + 1)); // 2,000 join behind us
        Assert.Equal(1000, o.Ahead);
        sim.OnEvent(Level(BookSide.Bid, 100, 2600, T + 2)); // 400 cancelled, front 1,000, back 2,000
        Assert.Equal(expectedAhead, o.Ahead);
        sim.OnEvent(Trade(TradeSide.Sell, 100, 900, T + 3));
        long expectedFill = Math.Min(50, Math.Max(0, 900 - expectedAhead));
        Assert.Equal(expectedFill, sim.Fills.Sum(f => f.Quantity));
    }

    [Fact]
    public void LatencyDelaysTheOrderAndTheCancelToExchangeTime()
    {
        var sim = Sim(entryNs: 5_000_000, cancelNs: 2_000_000);
        Snapshot(sim, T);
        var o = sim.Submit(OrderSide.Sell, OrderType.Limit, 101, 3, T);  // arrives at T + 5 ms
        sim.OnEvent(Trade(TradeSide.Buy, 101, 100, T + 1_000_000));      // before it arrived: no fill
        Assert.Equal(OrderStatus.Pending, o.Status);
        sim.OnEvent(Level(BookSide.Ask, 101, 2, T + 5_000_000));          // it arrives before this change: behind 8, then 6 cancelled
        Assert.Equal((OrderStatus.Resting, 2L), (o.Status, o.Ahead));
        sim.Cancel(o, T + 6_000_000);                                     // takes effect at T + 8 ms
        sim.OnEvent(Trade(TradeSide.Buy, 101, 3, T + 7_000_000));         // 2 ahead, 1 fills us before the cancel lands
        sim.OnEvent(Trade(TradeSide.Buy, 101, 5, T + 8_000_000));         // the cancel is in: nothing more
        Assert.Equal(1, o.Filled);
        Assert.Equal(OrderStatus.Cancelled, o.Status);
        Assert.Equal(8_000_000 + T, o.CancelAtNs);
    }

    [Fact]
    public void NoFillIsSimulatedOnABookOutOfSyncAndResyncPutsOrdersAtTheBack()
    {
        var sim = Sim();
        Snapshot(sim, T);
        var resting = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, 5, T);
        sim.Act(T);
        sim.OnEvent(Status(StatusKind.SequenceGap, T + 1));
        var market = sim.Submit(OrderSide.Buy, OrderType.Market, 0, 1, T + 2);
        sim.OnEvent(Trade(TradeSide.Sell, 100, 50, T + 3));               // out of sync: no fill for either
        Assert.Equal(OrderStatus.Unfillable, market.Status);
        Assert.Contains("out of sync", market.Reason);
        Assert.Empty(sim.Fills);
        Snapshot(sim, T + 4, bid100: 7);                                   // back in sync: behind the 7 shown now
        Assert.Equal(7, resting.Ahead);
        sim.OnEvent(Trade(TradeSide.Sell, 100, 9, T + 5));
        Assert.Equal(2, sim.Fills.Single().Quantity);
    }

    [Fact]
    public void AMarketableLimitOrderTakesWhatCrossesAndRestsTheRest()
    {
        var sim = Sim(fees: FeeSchedule.FromBps(-0.5m, 4m));
        Snapshot(sim, T);
        var o = sim.Submit(OrderSide.Buy, OrderType.Limit, 101, 10, T);
        sim.Act(T);
        Assert.Equal((101L, 8L, false), (sim.Fills[0].Price, sim.Fills[0].Quantity, sim.Fills[0].Maker));
        Assert.Equal((OrderStatus.Resting, 2L, 0L), (o.Status, o.Leaves, o.Ahead)); // no bid at 101: first in its queue
        sim.OnEvent(Trade(TradeSide.Sell, 101, 1, T + 1));
        Assert.Equal((101L, 1L, true), (sim.Fills[1].Price, sim.Fills[1].Quantity, sim.Fills[1].Maker));
        Assert.Equal((Int128)(-101 * 1 * 50), sim.Fills[1].Fee); // a 0.5 bp rebate
    }

    [Fact]
    public void PortfolioByHandFifoLotsMidMarkAndFees()
    {
        var p = new Portfolio(Units);
        p.Apply(new Fill(1, OrderSide.Buy, T, 100, 2, false, 200));
        p.Apply(new Fill(2, OrderSide.Buy, T, 103, 1, true, -50));
        p.Mark(104, 106);                                   // mid 105: (105-100) x 2 + (105-103) x 1 = 12
        Assert.Equal(12 * 1_000_000, (long)p.Unrealized);
        p.Apply(new Fill(3, OrderSide.Sell, T, 105, 2, false, 300)); // closes the 2 @ 100 first: +10
        Assert.Equal(10 * 1_000_000, (long)p.Realized);
        Assert.Equal(1, p.Position);
        Assert.Equal(2 * 1_000_000, (long)p.Unrealized);   // 1 @ 103 marked at 105
        Assert.Equal(450, (long)p.Fees);
        Assert.Equal(12 * 1_000_000 - 450, (long)p.Equity);
        p.Apply(new Fill(4, OrderSide.Sell, T, 101, 3, false, 0)); // closes 1 @ 103 (-2), opens a short of 2 @ 101
        Assert.Equal(8 * 1_000_000, (long)p.Realized);
        Assert.Equal(-2, p.Position);
        Assert.Equal(-8 * 1_000_000, (long)p.Unrealized); // short 2 @ 101 marked at 105
        Assert.Equal("8", Units.ToText(p.Realized));
    }

    [Fact]
    public void DrawnLatenciesRepeatWithTheirSeedAndHgrmTablesAreReadByPercentile()
    {
        string path = Path.Combine(Path.GetTempPath(), $"te-{Guid.NewGuid():N}.hgrm");
        File.WriteAllText(path, """
                   Value     Percentile TotalCount 1/(1-Percentile)

                1000.000 0.500000000000          5           2.00
                2500.000 1.000000000000         10
            #[Mean    =     1750.000, StdDeviation   =      750.000]
            """);
        try
        {
            var a = LatencyModel.FromHgrm(path, 1000, seed: 3);
            var b = LatencyModel.FromHgrm(path, 1000, seed: 3);
            var drawn = Enumerable.Range(0, 200).Select(_ => a.EntryNs()).ToList();
            Assert.Equal(drawn, Enumerable.Range(0, 200).Select(_ => b.EntryNs()).ToList());
            Assert.Equal([1_000_000L, 2_500_000L], drawn.Distinct().Order().ToArray()); // microseconds in the file
            File.AppendAllText(path, "\ngarbage row\n");
            var e = Assert.Throws<FormatException>(() => LatencyModel.FromHgrm(path, 1000, 1));
            Assert.Contains("line 6", e.Message);
        }
        finally { File.Delete(path); }
        var samples = LatencyModel.Drawn([5, 7, 9], seed: 1, "test");
        Assert.All(Enumerable.Range(0, 50), _ => Assert.Contains(samples.CancelNs(), new long[] { 5, 7, 9 }));
    }

    [Fact]
    public void ABacktestAllocatesNothingPerEventInSteadyState()
    {
        var sim = new ExecutionSimulator(Units, QueueModel.Power(2), LatencyModel.Fixed(1000, 1000), FeeSchedule.FromBps(1m, 5m)) { KeepHistory = false, DeliverFills = true };
        // The market maker quotes (orders allocate one SimOrder each); the book and trade events between must not allocate.
        var strategy = new TickEngine.Engine.Research.Strategies.MarketMakerStrategy(new StrategyParameters(new Dictionary<string, string> { ["tick"] = "1", ["size"] = "1", ["max_position"] = "5", ["refresh_ms"] = "1000000" }), StrategyInstrument.Of(0, 0));
        var backtest = new Backtest(0, sim, strategy, sampleNs: 1_000_000_000);
        SnapshotThrough(backtest, T);
        long t = T;
        void Steps(int n)
        {
            for (int i = 0; i < n; i++)
            {
                t += 1_000;
                var level = Level(BookSide.Bid, 99, 5 + i % 7, t);
                backtest.OnEvent(ref level, 0, false);
                var ask = Level(BookSide.Ask, 102, 20 + i % 5, t);
                backtest.OnEvent(ref ask, 0, false);
                var trade = Trade(i % 2 == 0 ? TradeSide.Buy : TradeSide.Sell, i % 2 == 0 ? 102 : 99, 1, t);
                backtest.OnEvent(ref trade, 0, false);
            }
        }
        Steps(2_000); // warm up: the quotes are placed once (refresh of 1,000 s), lists reach their size
        long allocated = TickEngine.Tests.Shared.Allocations.MeasureOnly(() => Steps(20_000));
        Assert.Equal(0, allocated);
        Assert.Equal(2, backtest.Context.OrdersSent); // the strategy did act (its own book was whole)
        Assert.True(backtest.Events >= 66_000);
    }

    /// <summary>A strategy that answers every fill at once with a new order (a hedger, a re-quoter).</summary>
    private sealed class ReplyToFills : IStrategy
    {
        public readonly List<(long FillTime, long Now, int OrdersBefore)> Seen = new();
        public string Name => "reply";
        public void OnBook(StrategyContext ctx, TickEngine.Engine.Book.OrderBook book)
        {
            if (ctx.OrdersSent == 0) ctx.Buy(OrderType.Limit, 3, 100);
        }
        public void OnFill(StrategyContext ctx, in Fill fill)
        {
            Seen.Add((fill.TimeNs, ctx.NowNs, ctx.Exchange.Orders.Count));
            ctx.Sell(OrderType.Limit, fill.Quantity, 101); // an order sent from the fill handler
        }
    }

    [Fact]
    public void FillsAreDeliveredAfterTheExchangeHasActedSoAStrategyMayAnswerThemWithOrders()
    {
        var sim = Sim();
        var strategy = new ReplyToFills();
        var backtest = new Backtest(0, sim, strategy, sampleNs: 1_000_000_000);
        SnapshotThrough(backtest, T);
        var first = Level(BookSide.Bid, 99, 5, T);
        backtest.OnEvent(ref first, 0, false); // the strategy places its buy at 100 (nothing ahead at a new level)
        long t = T;
        for (int i = 1; i <= 3; i++)
        {
            t += 1_000;
            var trade = Trade(TradeSide.Sell, 100, i == 1 ? 11 : 1, t); // the first takes the 10 ahead of us and one of ours; then one each
            backtest.OnEvent(ref trade, 0, false);
        }
        backtest.Finish();
        // Each fill reached the strategy once the exchange had finished with the trade that made it, and the order it
        // sent from there is an order like any other (before, a fill was a call from inside the exchange's matching,
        // and an order sent from it changed the list being matched).
        Assert.Equal(3, strategy.Seen.Count);
        Assert.Equal([1, 2, 3], strategy.Seen.Select(s => s.OrdersBefore)); // the buy, then one more sell after each fill
        Assert.Equal(3, sim.Fills.Count(f => f.Side == OrderSide.Buy));
        Assert.All(sim.Orders.Where(o => o.Side == OrderSide.Sell), o => Assert.Equal(101, o.Price));
        Assert.Equal(3, backtest.Portfolio.Position);
    }

    // ---- properties ----

    private sealed record Step(int Kind, long Qty, int Offset);

    private static readonly Gen<Step[]> Steps = Gen.Select(Gen.Int[0, 3], Gen.Long[1, 40], Gen.Int[-1, 1], (k, q, off) => new Step(k, q, off)).Array[1, 60];

    /// <summary>
    /// A resting buy at 100 against random cancels, growth, trades at, through and away from its price: it is never
    /// filled while volume is ahead of it, and its fills at or through its price never exceed the quantity traded there.
    /// </summary>
    [Fact]
    public void ALimitOrderNeverFillsBeforeTheVolumeAheadIsGoneNorBeyondWhatTraded()
    {
        long runsWithFills = 0;
        Gen.Select(Steps, Gen.Int[0, 3], Gen.Long[1, 30]).Sample((steps, modelIndex, size) =>
        {
            var model = new[] { QueueModel.RiskAverse, QueueModel.Power(1), QueueModel.Power(3), QueueModel.Log }[modelIndex];
            var sim = Sim(model);
            Snapshot(sim, T);
            var o = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, size, T);
            sim.Act(T);
            long level = 10, traded = 0, t = T;
            bool ok = true;
            void Check() { while (sim.TryTakeFill(out _)) ok &= o.Ahead == 0; } // every fill happens with nothing left ahead
            foreach (var s in steps)
            {
                t++;
                switch (s.Kind)
                {
                    case 0: level = Math.Max(0, level - s.Qty); sim.OnEvent(Level(BookSide.Bid, 100, level, t)); break; // cancels
                    case 1: level += s.Qty; sim.OnEvent(Level(BookSide.Bid, 100, level, t)); break;                       // joins
                    default:
                        long px = 100 + s.Offset;
                        sim.OnEvent(Trade(TradeSide.Sell, px, s.Qty, t));
                        Check();
                        if (px <= 100) traded += s.Qty;
                        if (px == 100) { level = Math.Max(0, level - s.Qty); sim.OnEvent(Level(BookSide.Bid, 100, level, t)); }
                        break;
                }
                Check();
            }
            long filled = sim.Fills.Sum(f => f.Quantity);
            if (filled > 0) Interlocked.Increment(ref runsWithFills);
            return ok && filled <= traded && filled <= size && filled == o.Filled && sim.Fills.All(f => f.Price == 100);
        }, iter: 3000);
        Assert.True(runsWithFills > 300, $"only {runsWithFills} runs filled anything: the property would say little");
    }

    [Fact]
    public void PnlIdentitiesHoldExactlyAtEveryFill()
    {
        var fill = Gen.Select(Gen.Bool, Gen.Long[90, 110], Gen.Long[1, 20], Gen.Long[-50, 500], Gen.Long[90, 110]);
        fill.Array[1, 80].Sample(fills =>
        {
            var p = new Portfolio(Units);
            Int128 equity = 0, realized = 0, unrealized = 0, fees = 0;
            foreach (var (buy, px, q, fee, mark) in fills)
            {
                p.Apply(new Fill(1, buy ? OrderSide.Buy : OrderSide.Sell, T, px, q, false, fee));
                p.Mark(mark, mark + 1);
                // equity change = realized change + unrealized change - fee change, exactly
                if (p.Equity - equity != (p.Realized - realized) + (p.Unrealized - unrealized) - (p.Fees - fees)) return false;
                if (p.Equity != p.Realized + p.Unrealized - p.Fees) return false;
                (equity, realized, unrealized, fees) = (p.Equity, p.Realized, p.Unrealized, p.Fees);
            }
            // Flat at the end by a closing fill at the mark: nothing is unrealized, equity = realized - fees.
            if (p.Position != 0)
            {
                p.Apply(new Fill(2, p.Position > 0 ? OrderSide.Sell : OrderSide.Buy, T, 100, Math.Abs(p.Position), false, 0));
                if (p.Unrealized != 0 || p.Equity != p.Realized - p.Fees) return false;
            }
            return true;
        }, iter: 3000);
    }
}
