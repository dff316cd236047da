using TickEngine.Engine.Events;
using TickEngine.Engine.Research;
using TickEngine.Engine.Venues;
using TickEngine.Storage.Format;
using Xunit;
using static TickEngine.Engine.Tests.Research.SimEvents;

namespace TickEngine.Engine.Tests.Research;

/// <summary>
/// hftbacktest's queue models and fill rules (its PartialFillExchange with ProbQueueModel and each probability
/// function) on hand cases whose numbers are hftbacktest's own arithmetic, worked out beside each case; and the
/// instrument's tick and lot (orders snapped or refused, fills in whole lots). Quantities are plain integers.
/// </summary>
public class HftbacktestRulesTests
{
    private static readonly MoneyScale Units = new(0, 0);



    private static ExecutionSimulator Sim(string model, InstrumentRules? rules = null) =>
        new(Units, QueueModel.Parse(model), LatencyModel.Fixed(0, 0), default) { DeliverFills = true, Rules = rules ?? InstrumentRules.Units };


    /// <summary>
    /// A buy of 50 behind 1,000; 2,000 join behind (level 3,000); a sell print of 300 at the price (front 700,
    /// traded 300); the level falls 3,000 -> 2,500, so chg = 500 - 300 = 200 and back = prev - front = 2,300; the new
    /// front is front - (1 - p) chg + min(back - p chg, 0). Then a print of 700 at the price passes the front by
    /// -front' - ... : the fill is floor(-(front' - 700)) lots, at most the print and the order.
    /// </summary>
    [Theory]
    [InlineData("hbt-risk-averse", 700.0, 0)]                   // depth: min(700, 2500); then front 0 -> round(0) is not < 0: no fill
    [InlineData("hbt-power:1", 653.3333333333334, 46)]          // p = 2300/3000: 700 - 0.2333 x 200 = 653.33; -46.67 -> 46
    [InlineData("hbt-power:2", 683.0449826989619, 16)]          // p = 2300^2 / (2300^2 + 700^2) = 0.91522
    [InlineData("hbt-power:3", 694.5163868904876, 5)]           // p = 2300^3 / (2300^3 + 700^3)
    [InlineData("hbt-power2:2", 617.5555555555555, 50)]         // p = 2300^2 / 3000^2 = 0.58778: -82.4 -> 82, capped at the order's 50
    [InlineData("hbt-power3:3", 697.4592592592593, 2)]          // p = 1 - (700/3000)^3 = 0.98730
    [InlineData("hbt-power3:2", 689.1111111111111, 10)]         // p = 1 - (700/3000)^2
    [InlineData("hbt-log", 608.3155441793491, 50)]              // p = ln 2301 / (ln 2301 + ln 701) = 0.54158
    [InlineData("hbt-log2", 693.3655131987039, 6)]              // p = ln 2301 / ln 3001 = 0.96683
    public void EachOfHftbacktestsQueueModelsGivesItsNumbers(string model, double front, long fill)
    {
        var sim = Sim(model);
        Snapshot(sim, T, bid100: 1000);
        var o = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, 50, T);
        sim.Act(T);
        Assert.Equal(1000.0, o.Front);
        sim.OnEvent(Level(BookSide.Bid, 100, 3000, T + 1));
        Assert.Equal(1000.0, o.Front);                            // growth joins behind
        sim.OnEvent(Trade(TradeSide.Sell, 100, 300, T + 2));
        Assert.Equal(700.0, o.Front);
        sim.OnEvent(Level(BookSide.Bid, 100, 2500, T + 3));
        Assert.Equal(front, o.Front, 9);
        sim.OnEvent(Trade(TradeSide.Sell, 100, 700, T + 4));
        Assert.Equal(fill, sim.Fills.Sum(f => f.Quantity));
        Assert.Equal(fill == 50 ? OrderStatus.Filled : OrderStatus.Resting, o.Status);
    }

    [Fact]
    public void TheConservativeModelNetsTradesOutOfBackAndFloorsWhereHftbacktestDoesNot()
    {
        // The same case: the conservative power1 counts back net of the 300 traded (2,700 - 700 = 2,000), so
        // p = 2000/2700 and 200 x 0.2593 = 51.85 ahead is floored to 51: 649, where hftbacktest gives 653.33.
        var sim = Sim("power1");
        Snapshot(sim, T, bid100: 1000);
        var o = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, 50, T);
        sim.Act(T);
        sim.OnEvent(Level(BookSide.Bid, 100, 3000, T + 1));
        sim.OnEvent(Trade(TradeSide.Sell, 100, 300, T + 2));
        sim.OnEvent(Level(BookSide.Bid, 100, 2500, T + 3));
        Assert.Equal(649, o.Ahead);
        Assert.Equal(MatchingRules.Conservative, sim.Matching);
        Assert.Equal(MatchingRules.Hftbacktest, Sim("hbt-power:1").Matching);
    }

    [Fact]
    public void HftbacktestFillsARestingOrderWhenTheOppositeBestCrossesItWithoutAPrint()
    {
        foreach (var (model, expected) in new[] { ("hbt-risk-averse", 5L), ("risk-averse", 0L) })
        {
            var sim = Sim(model);
            Snapshot(sim, T, bid100: 10);
            var o = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, 5, T);
            sim.Act(T);
            sim.OnEvent(Level(BookSide.Ask, 100, 3, T + 1)); // an ask at 100 appears: the best ask crossed our bid, no trade printed
            Assert.Equal(expected, sim.Fills.Sum(f => f.Quantity));
            if (expected > 0) Assert.All(sim.Fills, f => Assert.Equal((100L, true, T + 1), (f.Price, f.Maker, f.TimeNs)));
        }
    }

    [Fact]
    public void AThroughPrintFillsWholeUnderHftbacktestAndAtMostThePrintConservatively()
    {
        foreach (var (model, expected) in new[] { ("hbt-power:2", 40L), ("power2", 3L) })
        {
            var sim = Sim(model);
            Snapshot(sim, T, bid100: 10);
            var o = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, 40, T);
            sim.Act(T);
            sim.OnEvent(Trade(TradeSide.Sell, 99, 3, T + 1)); // a print of 3 below our bid
            Assert.Equal(expected, sim.Fills.Sum(f => f.Quantity));
        }
    }

    [Fact]
    public void OrdersAreHeldToTheTickAndLotAndFillsComeInLots()
    {
        var rules = new InstrumentRules(Tick: 10, Lot: 5, "test");
        var sim = Sim("risk-averse", rules);
        Snapshot(sim, T, bid100: 10); // prices are multiples of 10 here only at 100: the book is not checked, orders are
        var buy = sim.Submit(OrderSide.Buy, OrderType.Limit, 97, 12, T);   // 97 -> 90 (a buy rounds down), 12 -> 10
        var sell = sim.Submit(OrderSide.Sell, OrderType.Limit, 101, 7, T); // 101 -> 110 (a sell rounds up), 7 -> 5
        var tiny = sim.Submit(OrderSide.Buy, OrderType.Limit, 100, 4, T);  // below one lot: refused
        Assert.Equal((90L, 10L), (buy.Price, buy.Quantity));
        Assert.Equal((110L, 5L), (sell.Price, sell.Quantity));
        Assert.Equal(OrderStatus.Rejected, tiny.Status);
        Assert.StartsWith("below one lot", tiny.Reason);
        Assert.Equal((2L, 1L), (sim.OrdersSnapped, sim.OrdersRejected));

        var strict = Sim("risk-averse", rules with { OffGrid = OffGridPolicy.Refuse });
        Snapshot(strict, T, bid100: 10);
        var off = strict.Submit(OrderSide.Buy, OrderType.Limit, 97, 10, T);
        Assert.Equal((OrderStatus.Rejected, "price off the tick"), (off.Status, off.Reason![..18]));
        Assert.Equal(OrderStatus.Pending, strict.Submit(OrderSide.Buy, OrderType.Limit, 90, 10, T).Status);

        // A print of 7 passes a front of 0 by 7: the order (10) fills 5, the whole lots of it, and waits for the rest.
        var lots = Sim("risk-averse", new InstrumentRules(1, 5, "test"));
        Snapshot(lots, T, bid100: 0);
        var o = lots.Submit(OrderSide.Buy, OrderType.Limit, 100, 10, T);
        lots.Act(T);
        lots.OnEvent(Trade(TradeSide.Sell, 100, 7, T + 1));
        Assert.Equal([5L], lots.Fills.Select(f => f.Quantity));
        lots.OnEvent(Trade(TradeSide.Sell, 100, 9, T + 2));
        Assert.Equal([5L, 5L], lots.Fills.Select(f => f.Quantity));
        Assert.Equal(OrderStatus.Filled, o.Status);
    }

    [Theory]
    [InlineData("hbt-power")]
    [InlineData("hbt-power3:0")]
    [InlineData("hbt-cube")]
    [InlineData("power-1")]
    public void ModelNamesThatAreNotOnesAreRefusedNamingTheChoices(string name)
    {
        var e = Assert.Throws<ArgumentException>(() => QueueModel.Parse(name));
        Assert.Contains("hbt-power", e.Message);
    }
}
