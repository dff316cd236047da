using TickEngine.Engine.Book;
using TickEngine.Storage.Format;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Book;

public class OrderBookTests(ITestOutputHelper output)
{
    [Fact]
    public void MatchesASortedDictionaryModelUnderRandomChanges()
    {
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var book = new OrderBook();
        var bids = new SortedDictionary<long, long>();
        var asks = new SortedDictionary<long, long>();
        var px = new long[10];
        var qty = new long[10];
        for (int i = 0; i < 200_000; i++)
        {
            bool bid = rng.Next(2) == 0;
            long price = bid ? 10_000 - rng.Next(0, 3000) : 10_001 + rng.Next(0, 3000);
            long q = rng.Next(0, 4) == 0 ? 0 : rng.Next(1, 1000);
            book.Set(bid ? BookSide.Bid : BookSide.Ask, price, q);
            var model = bid ? bids : asks;
            if (q == 0) model.Remove(price); else model[price] = q;
            if (i % 1000 == 0)
            {
                Assert.Equal(bids.Count, book.BidCount);
                Assert.Equal(asks.Count, book.AskCount);
                int n = book.CopyTop(BookSide.Bid, px, qty);
                Assert.Equal(bids.Reverse().Take(10).Select(kv => kv.Key), px.Take(n));
                Assert.Equal(bids.Reverse().Take(10).Select(kv => kv.Value), qty.Take(n));
                n = book.CopyTop(BookSide.Ask, px, qty);
                Assert.Equal(asks.Take(10).Select(kv => kv.Key), px.Take(n));
                Assert.Equal(price, price);
                Assert.False(book.IsCrossed);
            }
        }
    }

    [Fact]
    public void DetectsACrossedBookAndRemovalOfAbsentLevelsIsANoOp()
    {
        var book = new OrderBook();
        book.Set(BookSide.Bid, 100, 1);
        book.Set(BookSide.Ask, 101, 1);
        book.Set(BookSide.Ask, 200, 0);
        Assert.False(book.IsCrossed);
        Assert.Equal(1, book.AskCount);
        book.Set(BookSide.Bid, 101, 5);
        Assert.True(book.IsCrossed);
        Assert.True(book.TryBestBid(out long p, out long q));
        Assert.Equal((101L, 5L), (p, q));
    }
}
