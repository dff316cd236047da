using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ingest.Binance;

namespace TickEngine.Engine.Venues;

/// <summary>What a venue's adapter is built from: the run's instrument registry, the ring's publisher and its rules.</summary>
public sealed record VenueContext(InstrumentRegistry Registry, EventPublisher Publisher, FrameRules Rules, ISnapshotRequester? Requester, string? DefaultSymbol);

/// <summary>
/// A venue: its exchange id (Tardis's where one exists), the other names a capture header or an import may give it,
/// whether live recording is available, and how its adapter (frame parser, book rules) is made.
/// </summary>
public sealed record Venue(string Name, string Description, IReadOnlyList<string> Aliases, bool Live, Func<VenueContext, IExchangeAdapter> Create)
{
    /// <summary>True when <paramref name="name"/> (any case, '_' for '-') is this venue's id or one of its aliases.</summary>
    public bool Answers(string name)
    {
        string n = name.Trim().ToLowerInvariant().Replace('_', '-');
        return n == Name || Aliases.Contains(n);
    }
}

/// <summary>The venues TickEngine records, by name. A venue registers with one line here.</summary>
public static class VenueRegistry
{
    public static IReadOnlyList<Venue> All { get; } =
    [
        new("binance", "Binance spot", [], Live: true, c => new BinanceAdapter(c.Registry, c.Publisher, futures: false, c.Requester) { DefaultSymbol = c.DefaultSymbol, Rules = c.Rules }),
        new("binance-futures", "Binance USD-M futures", [], Live: true, c => new BinanceAdapter(c.Registry, c.Publisher, futures: true, c.Requester) { DefaultSymbol = c.DefaultSymbol, Rules = c.Rules }),
        Coinbase.CoinbaseVenue.Venue,
        Okx.OkxVenue.Venue,
    ];

    /// <summary>The venue answering to <paramref name="name"/>, or null.</summary>
    public static Venue? Find(string name) => All.FirstOrDefault(v => v.Answers(name));

    /// <summary>The venues' ids, for messages: "binance, binance-futures, coinbase".</summary>
    public static string Names => string.Join(", ", All.Select(v => v.Name));
}
