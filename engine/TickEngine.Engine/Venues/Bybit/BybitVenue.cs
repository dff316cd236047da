using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Venues.Bybit;

/// <summary>
/// Bybit v5 (Tardis's ids: <c>bybit</c> for linear and inverse contracts, <c>bybit-spot</c> for spot). One adapter
/// reads every market of a capture; each connection's URL says which market, and so which id, its rows go under.
/// Recorded live (<see cref="BybitLive"/>), from captures, and from its daily order-book archives.
/// </summary>
public static class BybitVenue
{
    public static Venue Venue { get; } = new(BybitAdapter.Derivatives, "Bybit v5 (spot, linear, inverse)", [BybitAdapter.Spot], Live: true,
        c => new BybitAdapter(c.Registry, c.Publisher)
        {
            Rules = c.Rules,
            Requester = c.Requester,
            PublishQuotes = c.Writes(Storage.Format.SchemaKind.Quotes),
            PublishFunding = c.Writes(Storage.Format.SchemaKind.Funding),
        })
    {
        Fees = FeeSchedule.FromBps(2m, 5.5m),
        Endpoint = BybitLive.DefaultBase + "/v5/public/{spot,linear,inverse}",
        Stores =
        [
            new StoredExchange(BybitAdapter.Derivatives, TradeIdKind.Text, FeeSchedule.FromBps(2m, 5.5m)),
            new StoredExchange(BybitAdapter.Spot, TradeIdKind.Integer, FeeSchedule.FromBps(10m, 10m)),
        ],
        LivePlans = BybitLive.Plans,
    };
}
