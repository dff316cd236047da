using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues.Coinbase;

/// <summary>
/// Coinbase Advanced Trade market data (<c>wss://advanced-trade-ws.coinbase.com</c>): one connection, one subscribe
/// message per channel (<c>level2</c>, <c>market_trades</c>, <c>ticker</c> when quotes are recorded, and <c>heartbeats</c>, which keeps a quiet connection
/// alive: Coinbase closes one silent for long, so no application ping is sent), and a book resync by unsubscribing
/// and subscribing its product's <c>level2</c> again (a fresh snapshot follows). Every message of the connection
/// carries <c>sequence_num</c>: a skip is a gap for every book on it.
/// </summary>
public static class CoinbaseLive
{
    /// <summary>The venue's own WebSocket host (a simulator replaces it: <see cref="LiveRequest.BaseUrl"/>).</summary>
    public const string DefaultBase = "wss://advanced-trade-ws.coinbase.com";

    public static IReadOnlyList<ConnectionPlan> Plans(LiveRequest request)
    {
        var baseUrl = request.BaseUrl ?? new Uri(DefaultBase);
        var products = request.Symbols.Select(s => s.ToUpperInvariant()).ToList();
        var subscribe = new List<string> { Message("subscribe", "heartbeats", []) };
        if (request.Books) subscribe.Add(Message("subscribe", "level2", products));
        if (request.Trades) subscribe.Add(Message("subscribe", "market_trades", products));
        if (request.Quotes) subscribe.Add(Message("subscribe", "ticker", products));
        return [new ConnectionPlan(baseUrl, subscribe, null, TimeSpan.Zero, request.Books ? products : [],
            product => [Message("unsubscribe", "level2", [product]), Message("subscribe", "level2", [product])])];
    }

    private static string Message(string type, string channel, IReadOnlyList<string> products) =>
        $$"""{"type":"{{type}}","product_ids":[{{string.Join(",", products.Select(p => $"\"{p}\""))}}],"channel":"{{channel}}"}""";
}
