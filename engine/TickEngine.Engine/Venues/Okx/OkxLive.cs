using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues.Okx;

/// <summary>
/// OKX v5 public streams: every instrument type on one connection (<c>/ws/v5/public</c>), subscribed with
/// <c>{"op":"subscribe","args":[{"channel":"books","instId":...},...]}</c> (<c>books</c>, <c>tickers</c>, <c>trades</c>;
/// <c>funding-rate</c> and <c>mark-price</c> for swaps when funding is recorded) in
/// batches of 20 arguments, the text <c>ping</c> every 25 s (OKX closes a connection silent for 30 s), and a book
/// resync by unsubscribing and subscribing its <c>books</c> channel again (a fresh snapshot follows).
/// </summary>
public static class OkxLive
{
    public const int ArgsPerMessage = 20;

    /// <summary>The venue's own WebSocket host (a simulator replaces it: <see cref="LiveRequest.BaseUrl"/>).</summary>
    public const string DefaultBase = "wss://ws.okx.com:8443";

    public static IReadOnlyList<ConnectionPlan> Plans(LiveRequest request)
    {
        var baseUrl = request.BaseUrl ?? new Uri(DefaultBase);
        var args = new List<string>();
        foreach (var s in request.Symbols)
        {
            if (request.Books) args.Add(Arg("books", s));
            if (request.Books || request.Quotes) args.Add(Arg("tickers", s));
            if (request.Trades) args.Add(Arg("trades", s));
            // Funding and the mark price are a perpetual swap's (OKX answers other instruments with an error event).
            if (request.Funding && s.EndsWith("-SWAP", StringComparison.OrdinalIgnoreCase)) { args.Add(Arg("funding-rate", s)); args.Add(Arg("mark-price", s)); }
        }
        var subscribe = args.Chunk(ArgsPerMessage).Select(c => Op("subscribe", c)).ToList();
        return [new ConnectionPlan(new Uri(baseUrl, "/ws/v5/public"), subscribe, "ping", TimeSpan.FromSeconds(25),
            request.Books ? request.Symbols : [], symbol => [Op("unsubscribe", [Arg("books", symbol)]), Op("subscribe", [Arg("books", symbol)])])];
    }

    private static string Arg(string channel, string inst) => $$"""{"channel":"{{channel}}","instId":"{{inst.ToUpperInvariant()}}"}""";

    private static string Op(string op, IEnumerable<string> args) => $$"""{"op":"{{op}}","args":[{{string.Join(",", args)}}]}""";
}
