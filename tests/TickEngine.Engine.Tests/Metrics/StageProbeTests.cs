using TickEngine.Engine.Events;
using TickEngine.Bench;
using TickEngine.Storage.Format;
using Xunit;

namespace TickEngine.Engine.Tests.Metrics;

/// <summary>The latency bench's stage arithmetic, on hand-made times: every stage of every trade exactly.</summary>
public class StageProbeTests
{
    private static MarketEvent Trade(long id, long receive) => new() { Kind = EventKind.Trade, Id = id, ReceiveTime = receive };

    [Fact]
    public void EveryStageIsTheDifferenceOfItsTwoTimesInsideTheWindowOnly()
    {
        var p = new StageProbe(1024, 16);
        p.MeasureWindow(1_000, 100_000);
        p.Sent(500, 1_000);
        p.Sent(501, 2_000);
        p.Sent(502, 200_000); // after the window: carried, not measured
        p.Published(0, 0, 1_500);
        p.Handled(SchemaKind.Trades, 0, Trade(500, 1_200), 1_700);
        p.Published(1, 1, 2_600);
        p.Handled(SchemaKind.Trades, 1, Trade(501, 2_300), 3_000);
        p.Published(2, 2, 200_900);
        p.Handled(SchemaKind.Trades, 2, Trade(502, 200_500), 201_000);
        p.Handled(SchemaKind.Deltas, 3, Trade(999, 0), 0); // another schema: ignored
        p.Committed(SchemaKind.Trades, 2, 5_000);
        p.Committed(SchemaKind.Trades, 3, 202_000);

        void Is(int stage, params long[] values)
        {
            var h = p.Stages[stage];
            Assert.Equal(values.Length, h.TotalCount);
            Assert.True(h.ValuesAreEquivalent(values.Min(), h.Min), $"{StageProbe.StageNames[stage]} min {h.Min}");
            Assert.True(h.ValuesAreEquivalent(values.Max(), h.Max), $"{StageProbe.StageNames[stage]} max {h.Max}");
        }
        Is(StageProbe.SendToReceive, 200, 300);
        Is(StageProbe.ReceiveToParsed, 300, 300);
        Is(StageProbe.RingHandoff, 200, 400);
        Is(StageProbe.SendToAppended, 700, 1_000);
        Is(StageProbe.HandlerCommit, 3_300, 2_000);
        Is(StageProbe.EndToEnd, 4_000, 3_000);
        Assert.Equal(3, p.RowsAppended);
        Assert.Equal(3, p.RowsCommitted);
        Assert.Equal(0, p.IdBreaks);
    }

    [Fact]
    public void ATradeIdThatDoesNotFollowIsABreak()
    {
        var p = new StageProbe(1024, 16);
        p.Sent(1, 10);
        p.Handled(SchemaKind.Trades, 0, Trade(1, 10), 20);
        p.Handled(SchemaKind.Trades, 1, Trade(2, 10), 20);
        p.Handled(SchemaKind.Trades, 2, Trade(4, 10), 20); // 3 missing
        p.Handled(SchemaKind.Trades, 3, Trade(4, 10), 20); // stored twice
        Assert.Equal(2, p.IdBreaks);
    }
}
