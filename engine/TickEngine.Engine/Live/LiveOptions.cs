namespace TickEngine.Engine.Live;

/// <summary>
/// The connection rules of a live feed, the same for every venue (defaults: what the venues tolerate), and where to
/// connect instead of a venue's own endpoints (a simulator, a replay server). A venue's own endpoints are its own
/// (<see cref="Venues.Venue.Endpoint"/>; Binance's in <see cref="Venues.Binance.BinanceEndpoints"/>).
/// </summary>
public sealed record LiveOptions
{
    /// <summary>The default rules, the venues' own endpoints.</summary>
    public static LiveOptions Default { get; } = new();

    /// <summary>Reconnect a connection that has received nothing for this long.</summary>
    public TimeSpan Watchdog { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Reconnect before the venues' connection cut (Binance's is 24 hours).</summary>
    public TimeSpan MaxConnectionAge { get; init; } = TimeSpan.FromHours(23.5);

    public TimeSpan BackoffInitial { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Give up (state Failed) after this many consecutive failed attempts; 0 = never.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>
    /// A base URL (scheme, host, port) replacing the venue's own WebSocket host, its routes kept; null = the venue's.
    /// A full URL with a path replaces the route too.
    /// </summary>
    public Uri? VenueBase { get; init; }

    /// <summary>A base URL replacing the venue's REST host (Binance's depth snapshots); null = the venue's, or <see cref="VenueBase"/>'s host over http(s).</summary>
    public Uri? RestBase { get; init; }

    /// <summary>An API key sent with REST requests (Binance: header <c>X-MBX-APIKEY</c>); market data needs none.</summary>
    public Secret? ApiKey { get; init; }

    /// <summary>The user name a venue that logs in asks for with <see cref="ApiKey"/> (ProjectX's <c>loginKey</c>).</summary>
    public string? UserName { get; init; }

    /// <summary>How long before a session token expires it is renewed (ProjectX); null = a quarter of its lifetime, at most 30 minutes.</summary>
    public TimeSpan? TokenRenewal { get; init; }
}
