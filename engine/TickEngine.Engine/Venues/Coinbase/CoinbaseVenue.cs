namespace TickEngine.Engine.Venues.Coinbase;

/// <summary>Coinbase Advanced Trade (Tardis id <c>coinbase</c>): recorded live (<see cref="CoinbaseLive"/>) and from captures.</summary>
public static class CoinbaseVenue
{
    public static Venue Venue { get; } = new(CoinbaseAdapter.Name, "Coinbase Advanced Trade", ["coinbase-advanced-trade"], Live: true,
        c => new CoinbaseAdapter(c.Registry, c.Publisher)
        {
            Rules = c.Rules,
            Requester = c.Requester,
            PublishQuotes = c.Writes(Storage.Format.SchemaKind.Quotes),
            PublishFunding = c.Writes(Storage.Format.SchemaKind.Funding),
        })
    {
        Fees = FeeSchedule.FromBps(40m, 60m),
        Endpoint = CoinbaseLive.DefaultBase,
        LivePlans = CoinbaseLive.Plans,
    };
}
