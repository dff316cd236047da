using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues.Bybit;

/// <summary>
/// Bybit v5 public streams: one connection per market (<c>/v5/public/spot|linear|inverse</c>), subscribed with
/// <c>{"op":"subscribe","args":[...]}</c> in batches of 10 topics (<c>orderbook.50.S</c>, <c>publicTrade.S</c>,
/// <c>tickers.S</c> for the best bid/ask check, quotes and funding), an application ping <c>{"op":"ping"}</c> every 20 s as Bybit asks,
/// and a book resync by unsubscribing and subscribing its topic again (Bybit then sends a fresh snapshot).
/// <c>bybit-spot</c> records spot; <c>bybit</c> records linear contracts, and inverse ones for symbols ending in USD.
/// </summary>
public static class BybitLive
{
    public const int BookDepth = 50;
    public const int TopicsPerMessage = 10;

    /// <summary>The venue's own WebSocket host (a simulator replaces it: <see cref="LiveRequest.BaseUrl"/>).</summary>
    public const string DefaultBase = "wss://stream.bybit.com";

    public static IReadOnlyList<ConnectionPlan> Plans(LiveRequest request)
    {
        var baseUrl = request.BaseUrl ?? new Uri(DefaultBase);
        var markets = request.Symbols.GroupBy(s => request.Name == BybitAdapter.Spot ? "spot" : s.EndsWith("USD", StringComparison.Ordinal) ? "inverse" : "linear");
        var plans = new List<ConnectionPlan>();
        foreach (var market in markets.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            var topics = new List<string>();
            foreach (var s in market)
            {
                if (request.Books) topics.Add(BookTopic(s));
                // Tickers: the book's best bid/ask check, quotes, and (linear, inverse) funding.
                if (request.Books || request.Quotes || request.Funding) topics.Add($"tickers.{s}");
                if (request.Trades) topics.Add($"publicTrade.{s}");
            }
            var subscribe = topics.Chunk(TopicsPerMessage).Select(c => Op("subscribe", c)).ToList();
            plans.Add(new ConnectionPlan(new Uri(baseUrl, $"/v5/public/{market.Key}"), subscribe, """{"op":"ping"}""", TimeSpan.FromSeconds(20),
                request.Books ? market.ToList() : [], symbol => [Op("unsubscribe", [BookTopic(symbol)]), Op("subscribe", [BookTopic(symbol)])]));
        }
        return plans;
    }

    private static string BookTopic(string symbol) => $"orderbook.{BookDepth}.{symbol.ToUpperInvariant()}";

    private static string Op(string op, IEnumerable<string> args) =>
        $$"""{"op":"{{op}}","args":[{{string.Join(",", args.Select(a => $"\"{a}\""))}}]}""";
}
