using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Venues.Bybit;

/// <summary>
/// Bybit v5 (Tardis's ids: <c>bybit</c> for linear and inverse contracts, <c>bybit-spot</c> for spot). One adapter
/// reads every market of a capture; each connection's URL says which market, and so which id, its rows go under.
/// Recorded from captures in this version.
/// </summary>
public static class BybitVenue
{
    public static Venue Venue { get; } = new(BybitAdapter.Derivatives, "Bybit v5 (spot, linear, inverse)", [BybitAdapter.Spot], Live: false,
        c => new BybitAdapter(c.Registry, c.Publisher) { Rules = c.Rules })
    {
        Stores = [(BybitAdapter.Derivatives, TradeIdKind.Text), (BybitAdapter.Spot, TradeIdKind.Integer)],
    };
}
