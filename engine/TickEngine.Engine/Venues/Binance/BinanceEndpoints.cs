namespace TickEngine.Engine.Venues.Binance;

/// <summary>
/// Binance's endpoints and REST limits for one market: spot (<see cref="Spot"/>) or USD-M futures
/// (<see cref="Futures"/>, whose depth and bookTicker streams are on the /public route and trades on /market).
/// </summary>
public sealed record BinanceEndpoints
{
    /// <summary>wss://stream.binance.com:9443 (spot); wss://fstream.binance.com/public (futures).</summary>
    public required Uri WebSocketBase { get; init; }

    /// <summary>Futures only: the /market route for trades (depth and bookTicker go to <see cref="WebSocketBase"/>).</summary>
    public Uri? MarketWebSocketBase { get; init; }

    /// <summary>https://api.binance.com (spot), https://fapi.binance.com (futures).</summary>
    public required Uri RestBase { get; init; }

    /// <summary>/api/v3/depth or /fapi/v1/depth.</summary>
    public required string DepthPath { get; init; }

    /// <summary>True for USD-M futures (@aggTrade for trades, the futures depth weights).</summary>
    public bool Futures { get; init; }

    /// <summary>Levels asked for in REST snapshots (spot ≤ 5000, futures ≤ 1000).</summary>
    public int SnapshotLimit { get; init; } = 1000;

    /// <summary>Streams on one combined-stream connection (Binance allows 1,024).</summary>
    public int MaxStreamsPerConnection { get; init; } = 1024;

    /// <summary>Request weight allowed per minute (spot 6,000; futures 2,400).</summary>
    public int RestWeightPerMinute { get; init; } = 6000;

    public static BinanceEndpoints Spot { get; } = new()
    {
        WebSocketBase = new Uri("wss://stream.binance.com:9443"),
        RestBase = new Uri("https://api.binance.com"),
        DepthPath = "/api/v3/depth",
        SnapshotLimit = 5000,
    };

    public static BinanceEndpoints UsdM { get; } = new()
    {
        WebSocketBase = new Uri("wss://fstream.binance.com/public"),
        MarketWebSocketBase = new Uri("wss://fstream.binance.com/market"),
        RestBase = new Uri("https://fapi.binance.com"),
        DepthPath = "/fapi/v1/depth",
        Futures = true,
        SnapshotLimit = 1000,
        RestWeightPerMinute = 2400,
    };

    /// <summary>The market's endpoints.</summary>
    public static BinanceEndpoints Of(bool futures) => futures ? UsdM : Spot;

    /// <summary>
    /// The same routes on other hosts (a simulator, a replay server): the WebSocket routes on
    /// <paramref name="webSocket"/>'s scheme, host and port (paths kept), REST on <paramref name="rest"/>'s, or, when
    /// only <paramref name="webSocket"/> is given, on its host over http(s).
    /// </summary>
    public BinanceEndpoints At(Uri? webSocket, Uri? rest)
    {
        if (webSocket is null && rest is null) return this;
        var e = this;
        if (webSocket is not null)
        {
            e = e with
            {
                WebSocketBase = Rebase(WebSocketBase, webSocket),
                MarketWebSocketBase = MarketWebSocketBase is null ? null : Rebase(MarketWebSocketBase, webSocket),
            };
            rest ??= new UriBuilder(webSocket) { Scheme = webSocket.Scheme == "wss" ? "https" : "http", Path = "" }.Uri;
        }
        return rest is null ? e : e with { RestBase = new UriBuilder(rest) { Path = rest.AbsolutePath.TrimEnd('/') }.Uri };
    }

    /// <summary>A base's path on another host: the host's own path, if it has one, replaces the route's (a URL given in full).</summary>
    private static Uri Rebase(Uri route, Uri host) =>
        host.AbsolutePath.Trim('/').Length > 0 ? host : new UriBuilder(host) { Path = route.AbsolutePath }.Uri;

    /// <summary>Binance's REST weight of a depth request with <paramref name="limit"/> levels.</summary>
    public int DepthWeight(int limit) => Futures
        ? limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20
        : limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}
