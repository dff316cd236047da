using System.Text;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Ring;
using Xunit;

namespace TickEngine.Engine.Tests.Ingest;

/// <summary>Trade frames: a frame is read whole before it acts, and repeats are told apart from damaged ids.</summary>
public class TradeFrameTests
{
    private readonly ValueDisruptor<MarketEvent> _ring = new(1 << 10);
    private readonly EventPublisher _publisher;
    private readonly BinanceAdapter _adapter;
    private const long Ms = 1_723_161_254_000;

    public TradeFrameTests()
    {
        _publisher = new EventPublisher(_ring.Ring, _ring.Sequencer);
        _adapter = new BinanceAdapter(new InstrumentRegistry(), _publisher, futures: false);
    }

    private static string Trade(long id, long ms, string tail = "") =>
        $"{{\"stream\":\"btcusdt@trade\",\"data\":{{\"e\":\"trade\",\"E\":{ms},\"s\":\"BTCUSDT\",\"t\":{id},\"p\":\"61826.01\",\"q\":\"0.5\",\"T\":{ms},\"m\":true}}}}{tail}";

    private void Feed(string frame, long ms) => _adapter.OnFrame(Encoding.UTF8.GetBytes(frame), ms * 1_000_000 + 5_000_000);

    private List<long> TradeIds() => Enumerable.Range(0, (int)_publisher.Published).Select(i => _ring.Ring[i]).Where(e => e.Kind == EventKind.Trade).Select(e => e.Id).ToList();

    [Theory]
    [InlineData(",\"x\":1}")]
    [InlineData("}{\"e\":\"trade\"}")]
    [InlineData("{")]
    public void AFrameWithBytesAfterItsObjectPublishesNothing(string tail)
    {
        Feed(Trade(10, Ms, tail), Ms);
        Assert.Empty(TradeIds());
        Assert.Equal(1, _adapter.Counters.Malformed);
        // The id was not taken either: the same trade, well formed, is stored.
        Feed(Trade(10, Ms), Ms);
        Assert.Equal([10L], TradeIds());
    }

    [Fact]
    public void AFrameThatIsNotUtf8PublishesNothing()
    {
        var bytes = Encoding.UTF8.GetBytes(Trade(10, Ms)).ToList();
        bytes.InsertRange(bytes.IndexOf((byte)'m'), [0xC3, (byte)'"', (byte)':', (byte)'1', (byte)',', (byte)'"']);
        _adapter.OnFrame(bytes.ToArray(), Ms * 1_000_000);
        Assert.Empty(TradeIds());
        Assert.Equal("not valid UTF-8", Assert.Single(_adapter.Counters.MalformedByReason).Key);
    }

    [Fact]
    public void ARepeatedTradeIsStoredOnceButADamagedIdDoesNotSilenceTheTradesAfterIt()
    {
        Feed(Trade(10, Ms), Ms);
        Feed(Trade(11, Ms + 1), Ms + 1);
        Feed(Trade(11, Ms + 1), Ms + 1);          // a repeat (across a reconnect): same id, no later
        Feed(Trade(10, Ms), Ms);                  // an older repeat
        Feed(Trade(99_000_000_012, Ms + 2), Ms + 2); // a damaged id, far ahead
        Feed(Trade(13, Ms + 3), Ms + 3);          // the real trades go on
        Feed(Trade(14, Ms + 4), Ms + 4);
        Feed(Trade(14, Ms + 4), Ms + 4);          // and their repeats are still told apart
        Assert.Equal([10L, 11, 99_000_000_012, 13, 14], TradeIds());
        Assert.Equal(3, _adapter.Counters.DuplicateTrades);
        Assert.Equal(1, _adapter.Counters.TradeIdsBackwards);
    }

    [Theory]
    [InlineData("99999999999999999999")]
    [InlineData("0")]
    [InlineData("null")]
    public void ATradeTimeThatIsPresentButUnusableIsMalformedNotReplacedByTheEventTime(string t)
    {
        Feed(Trade(10, Ms).Replace($"\"T\":{Ms}", $"\"T\":{t}"), Ms);
        Assert.Empty(TradeIds());
        Assert.Equal(1, _adapter.Counters.Malformed);
    }

    [Fact]
    public void ADiffWithoutItsEventTimeIsMalformedNotStoredIn1970()
    {
        // Found by the frame fuzz: a key damaged into "{E" left a diff with no exchange time, whose rows were stored at 0.
        Feed("{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"{E\":1723161255508,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[[\"61830.17\",\"1\"]],\"a\":[]}}", Ms);
        Assert.Equal(0, _publisher.Published);
        Assert.Equal("diff depth message without E (its exchange time)", Assert.Single(_adapter.Counters.MalformedByReason).Key);
    }

    [Fact]
    public void ADiffMissingOneSideIsMalformedNotReadAsAnEmptySide()
    {
        // Found by the frame fuzz: "a" flipped to "l" left a diff whose asks were silently taken as unchanged.
        Feed("{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":1723161255508,\"s\":\"BTCUSDT\",\"U\":5,\"u\":6,\"b\":[[\"61830.17\",\"1\"]],\"l\":[[\"61831\",\"1\"]]}}", Ms);
        Assert.Equal(0, _publisher.Published);
        Assert.Equal("depth message without its bids or asks", Assert.Single(_adapter.Counters.MalformedByReason).Key);
    }
}
