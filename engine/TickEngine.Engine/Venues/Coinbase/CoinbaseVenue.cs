namespace TickEngine.Engine.Venues.Coinbase;

/// <summary>Coinbase Advanced Trade (Tardis id <c>coinbase</c>): recorded from captures in this version.</summary>
public static class CoinbaseVenue
{
    public static Venue Venue { get; } = new(CoinbaseAdapter.Name, "Coinbase Advanced Trade", ["coinbase-advanced-trade"], Live: false,
        c => new CoinbaseAdapter(c.Registry, c.Publisher) { Rules = c.Rules });
}
