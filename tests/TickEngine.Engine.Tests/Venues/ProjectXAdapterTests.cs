using System.Text;
using TickEngine.Engine.Events;
using TickEngine.Engine.Venues;
using TickEngine.Engine.Venues.ProjectX;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Venues;

/// <summary>ProjectX Gateway messages: read with nothing allocated per message in steady state, and the times' offsets read exactly.</summary>
public class ProjectXAdapterTests
{
    private const long T0 = 1_765_180_000_000_000_000; // 2025-12-08T07:46:40Z
    private static byte[] Frame(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void DepthTradesAndQuotesAllocateNothingPerMessage()
    {
        using var dir = new TempDir();
        const string C = "CON.F.US.MNQ.Z26";
        var book = Frame($$"""{"type":1,"target":"GatewayDepth","arguments":["{{C}}",[{"timestamp":"2025-12-08T07:46:40.0000000+00:00","type":6,"price":0,"volume":0},{"timestamp":"2025-12-08T07:46:40.0000000+00:00","type":2,"price":21000.00,"volume":5},{"timestamp":"2025-12-08T07:46:40.0000000+00:00","type":1,"price":21000.25,"volume":3}]]}""");
        var change = Frame($$"""{"type":1,"target":"GatewayDepth","arguments":["{{C}}",[{"timestamp":"2025-12-08T07:46:40.1000000\u002B00:00","type":2,"price":20999.75,"volume":9,"currentVolume":9}]]}""" + "\u001e");
        var trade = Frame($$"""{"type":1,"target":"GatewayTrade","arguments":["{{C}}",[{"symbolId":"F.US.MNQ","price":21000.25,"timestamp":"2025-12-08T07:46:40.2000000\u002B00:00","type":0,"volume":1}]]}""");
        var quote = Frame($$"""{"type":1,"target":"GatewayQuote","arguments":["{{C}}",{"symbol":"F.US.MNQ","lastPrice":21000.25,"bestBid":21000.00,"bestAsk":21000.25,"volume":1,"lastUpdated":"2025-12-08T01:46:40.2000000-06:00","timestamp":"2025-12-08T07:46:40.2000000Z"}]}""");
        long allocated = -1;
        var (pipeline, got) = VenueRecording.Record(dir, ProjectXAdapter.Name, a =>
        {
            a.OnFrame(book, T0);
            for (int i = 0; i < 3; i++) { a.OnFrame(change, T0 + 1 + i); a.OnFrame(trade, T0 + 1 + i); a.OnFrame(quote, T0 + 1 + i); }
            allocated = Allocations.MeasureOnly(() =>
            {
                for (int i = 0; i < 100; i++) { a.OnFrame(change, T0 + 10 + i); a.OnFrame(trade, T0 + 10 + i); a.OnFrame(quote, T0 + 10 + i); }
            });
        }, new HashSet<SchemaKind> { SchemaKind.Trades, SchemaKind.Deltas, SchemaKind.Quotes });
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(0, c.Malformed);
        Assert.Equal(0, allocated);
        var trades = got.Events.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.Equal(103, trades.Count);
        Assert.Equal(T0 + 200_000_000, trades[0].ExchangeTime); // the escaped '+00:00'
        Assert.Equal((byte)TradeSide.Buy, trades[0].Side);
        var quotes = got.Events.Where(e => e.Kind == EventKind.BookTicker).ToList();
        Assert.Equal(T0 + 200_000_000, quotes[0].ExchangeTime); // 01:46:40.2 at -06:00
        Assert.Equal(103, c.BookTickerMatched);
        Assert.Equal("projectx", VenueRegistry.Find("TopstepX")!.Name);
    }
}
