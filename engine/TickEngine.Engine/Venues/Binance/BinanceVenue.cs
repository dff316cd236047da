namespace TickEngine.Engine.Venues.Binance;

/// <summary>
/// Binance spot (<c>binance</c>) and USD-M futures (<c>binance-futures</c>), Tardis's ids: recorded live by
/// <see cref="BinanceLiveFeed"/> (combined streams with REST depth snapshots), from captures and from Tardis CSV.
/// Books follow <see cref="BinanceSequenceRule"/>.
/// </summary>
public static class BinanceVenue
{
    public static Venue Spot { get; } = Create("binance", "Binance spot", futures: false, FeeSchedule.FromBps(10m, 10m));
    public static Venue Futures { get; } = Create("binance-futures", "Binance USD-M futures", futures: true, FeeSchedule.FromBps(2m, 5m));

    private static Venue Create(string name, string description, bool futures, FeeSchedule fees) =>
        new(name, description, [], Live: true,
            c => new BinanceAdapter(c.Registry, c.Publisher, futures, c.Requester)
            {
                DefaultSymbol = c.DefaultSymbol,
                Rules = c.Rules,
                PublishBookTickers = c.Writes(Storage.Format.SchemaKind.Quotes),
                PublishFunding = futures && c.Writes(Storage.Format.SchemaKind.Funding),
            })
        {
            Fees = fees,
            Endpoint = $"{BinanceEndpoints.Of(futures).WebSocketBase}{(futures ? " and /market" : "")} (REST {BinanceEndpoints.Of(futures).RestBase})",
            LiveFeed = r => new BinanceLiveFeed(r.Options, futures, r.Request.Symbols, r.Request.Trades, r.Request.Books, r.Pipe, source: r.Source,
                quotes: r.Request.Quotes, funding: r.Request.Funding),
        };
}
