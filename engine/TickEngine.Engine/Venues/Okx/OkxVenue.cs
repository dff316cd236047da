namespace TickEngine.Engine.Venues.Okx;

/// <summary>OKX v5 (one id, <c>okx</c>, for every instrument type; Tardis's <c>okex</c>, <c>okex-swap</c>, <c>okex-futures</c> and <c>okex-options</c> are accepted): recorded live (<see cref="OkxLive"/>) and from captures.</summary>
public static class OkxVenue
{
    public static Venue Venue { get; } = new(OkxAdapter.Name, "OKX v5", ["okex", "okex-swap", "okex-futures", "okex-options"], Live: true,
        c => new OkxAdapter(c.Registry, c.Publisher)
        {
            Rules = c.Rules,
            Requester = c.Requester,
            PublishQuotes = c.Writes(Storage.Format.SchemaKind.Quotes),
            PublishFunding = c.Writes(Storage.Format.SchemaKind.Funding),
        })
    {
        Fees = FeeSchedule.FromBps(8m, 10m),
        Endpoint = OkxLive.DefaultBase + "/ws/v5/public",
        LivePlans = OkxLive.Plans,
    };
}
