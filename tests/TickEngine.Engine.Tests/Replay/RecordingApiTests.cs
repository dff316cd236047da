using TickEngine.Engine.Replay;
using TickEngine.Engine.Tests.Pipeline;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Replay;

/// <summary>The library API a user's xUnit test uses on a recording.</summary>
public class RecordingApiTests
{
    [Fact]
    public void ATestLoadsARangeOfTradesBarsL2AndRebuiltBooks()
    {
        using var dir = new TempDir();
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path);
        var rec = Recording.Open(dir.Path);
        var start = DateTimeOffset.FromUnixTimeMilliseconds(1723161400000);
        var end = DateTimeOffset.FromUnixTimeMilliseconds(1723161500000);
        var trades = rec.Trades("BTCUSDT", start, end).ToList();
        Assert.True(trades.Count > 100);
        Assert.All(trades, t => Assert.InRange(t.ExchangeTimeNs, 1723161400000_000_000, 1723161499999_999_999));
        Assert.Equal(61837.63m, rec.Trades("BTCUSDT").First().Price);
        Assert.Equal(0.02m, rec.Trades("BTCUSDT").First().Quantity);

        var l2 = rec.L2("BTCUSDT").ToList();
        Assert.Equal(346, l2.Count);
        Assert.All(l2, s => Assert.True(s.Bids[0].Price < s.Asks[0].Price));
        Assert.Equal(18, rec.Bars("BTCUSDT").Count());

        // The rebuilt book at each second's boundary equals the L2 sample recorded there.
        var books = rec.Books("BTCUSDT", levels: 5).ToList();
        Assert.Equal(3_450, books.Count); // the snapshot and 3,449 diffs
        Assert.All(books, b => Assert.True(b.Valid));
        foreach (var sample in l2.Take(50))
        {
            var before = books.Last(b => b.ExchangeTimeNs < sample.ExchangeTimeNs);
            Assert.Equal(sample.Bids, before.Bids);
            Assert.Equal(sample.Asks, before.Asks);
        }
    }
}
