namespace TickEngine.Engine.Live;

/// <summary>Endpoints and connection rules of a live Binance feed (defaults: the real exchange's).</summary>
public sealed record LiveOptions
{
    /// <summary>wss://stream.binance.com:9443 (spot); wss://fstream.binance.com/public and /market (futures).</summary>
    public required Uri WebSocketBase { get; init; }

    /// <summary>Futures only: the /market route for trades (depth and bookTicker go to <see cref="WebSocketBase"/>).</summary>
    public Uri? MarketWebSocketBase { get; init; }

    /// <summary>https://api.binance.com (spot), https://fapi.binance.com (futures).</summary>
    public required Uri RestBase { get; init; }

    /// <summary>/api/v3/depth or /fapi/v1/depth.</summary>
    public string DepthPath { get; init; } = "/api/v3/depth";

    /// <summary>Levels asked for in REST snapshots (spot ≤ 5000, futures ≤ 1000).</summary>
    public int SnapshotLimit { get; init; } = 1000;

    public int MaxStreamsPerConnection { get; init; } = 1024;

    /// <summary>Reconnect a connection that has received nothing for this long.</summary>
    public TimeSpan Watchdog { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reconnect before the exchange's 24-hour cut.</summary>
    public TimeSpan MaxConnectionAge { get; init; } = TimeSpan.FromHours(23.5);

    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Give up (state Failed) after this many consecutive failed attempts; 0 = never.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>Request weight allowed per minute (Binance spot: 6000).</summary>
    public int RestWeightPerMinute { get; init; } = 6000;

    /// <summary>Venues with connection plans: a base URL (scheme, host, port) replacing the venue's own (a simulator); null = the venue's.</summary>
    public Uri? VenueBase { get; init; }

    /// <summary>An API key sent with REST requests (header <c>X-MBX-APIKEY</c>); market data needs none.</summary>
    public Secret? ApiKey { get; init; }

    public static LiveOptions BinanceSpot => new()
    {
        WebSocketBase = new Uri("wss://stream.binance.com:9443"),
        RestBase = new Uri("https://api.binance.com"),
        DepthPath = "/api/v3/depth",
        SnapshotLimit = 5000,
    };

    public static LiveOptions BinanceFutures => new()
    {
        WebSocketBase = new Uri("wss://fstream.binance.com/public"),
        MarketWebSocketBase = new Uri("wss://fstream.binance.com/market"),
        RestBase = new Uri("https://fapi.binance.com"),
        DepthPath = "/fapi/v1/depth",
        SnapshotLimit = 1000,
        RestWeightPerMinute = 2400,
    };

    /// <summary>Binance's REST weight of a depth request with <paramref name="limit"/> levels.</summary>
    public int DepthWeight(int limit) => DepthPath.StartsWith("/fapi", StringComparison.Ordinal)
        ? limit <= 50 ? 2 : limit <= 100 ? 5 : limit <= 500 ? 10 : 20
        : limit <= 100 ? 5 : limit <= 500 ? 25 : limit <= 1000 ? 50 : 250;
}
