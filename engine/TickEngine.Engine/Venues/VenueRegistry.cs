using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues;

/// <summary>The venues TickEngine records, by name. A venue registers with one line here.</summary>
public static class VenueRegistry
{
    public static IReadOnlyList<Venue> All { get; } =
    [
        Binance.BinanceVenue.Spot,
        Binance.BinanceVenue.Futures,
        Coinbase.CoinbaseVenue.Venue,
        Okx.OkxVenue.Venue,
        Bybit.BybitVenue.Venue,
        ProjectX.ProjectXVenue.Venue,
    ];

    /// <summary>The venue answering to <paramref name="name"/>, or null.</summary>
    public static Venue? Find(string name) => All.FirstOrDefault(v => v.Answers(name));

    /// <summary>
    /// The exchange id rows of <paramref name="name"/> are stored under: a name a venue stores under as it is (Bybit's
    /// <c>bybit-spot</c>), else the id of the venue answering to it (Tardis's <c>okex-swap</c> is <c>okx</c>), else the
    /// name as given.
    /// </summary>
    public static string StoredId(string name)
    {
        string n = name.Trim().ToLowerInvariant().Replace('_', '-');
        foreach (var v in All)
            foreach (var s in v.Stores)
                if (s.Exchange == n) return s.Exchange;
        return Find(name)?.Name ?? name;
    }

    /// <summary>What the trade ids stored under <paramref name="exchange"/> are; <see cref="TradeIdKind.Sequential"/> when no venue stores it.</summary>
    public static TradeIdKind TradeIdsOf(string exchange)
    {
        foreach (var v in All)
            foreach (var s in v.Stores)
                if (s.Exchange == exchange) return s.TradeIds;
        return TradeIdKind.Sequential;
    }

    /// <summary>The base-tier fees of rows stored under <paramref name="exchange"/>; 0/0 when no venue stores it.</summary>
    public static FeeSchedule FeesOf(string exchange)
    {
        foreach (var v in All)
            foreach (var s in v.Stores)
                if (s.Exchange == exchange) return s.Fees;
        return new FeeSchedule(0, 0);
    }

    /// <summary>The venues' ids, for messages: "binance, binance-futures, coinbase".</summary>
    public static string Names => string.Join(", ", All.Select(v => v.Name));
}
