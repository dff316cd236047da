using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues;

/// <summary>What a venue's adapter is built from: the run's instrument registry, the ring's publisher and its rules.</summary>
public sealed record VenueContext(InstrumentRegistry Registry, EventPublisher Publisher, FrameRules Rules, ISnapshotRequester? Requester, string? DefaultSymbol)
{
    /// <summary>What the run writes: an adapter publishes the events of opt-in schemas (quotes, funding) only when asked.</summary>
    public IReadOnlySet<Storage.Format.SchemaKind>? Schemas { get; init; }

    /// <summary>True when the run writes <paramref name="kind"/>.</summary>
    public bool Writes(Storage.Format.SchemaKind kind) => Schemas?.Contains(kind) ?? false;
}

/// <summary>What a live recording asks a venue for: the name it was given, the symbols, the data, and a base URL instead of the venue's (a simulator).</summary>
public sealed record LiveRequest(string Name, IReadOnlyList<string> Symbols, bool Trades, bool Books, Uri? BaseUrl)
{
    /// <summary>The venue's best bid and ask as it states them (the quotes schema).</summary>
    public bool Quotes { get; init; }

    /// <summary>Funding rates, mark and index prices (the funding schema; perpetual contracts).</summary>
    public bool Funding { get; init; }
}

/// <summary>What a venue's live feed is built from: the connection rules, what to record, the pipe its frames go into and the feed's number in it.</summary>
public sealed record LiveFeedRequest(LiveOptions Options, LiveRequest Request, FramePipe Pipe, byte Source);

/// <summary>An exchange id a venue's rows are stored under: what its trade ids are and its base-tier fees.</summary>
public sealed record StoredExchange(string Exchange, TradeIdKind TradeIds, FeeSchedule Fees);

/// <summary>
/// A venue: its exchange id (Tardis's where one exists), the other names a capture header or an import may give it,
/// whether live recording is available, and how its adapter (frame parser, book rules) is made; its endpoint, its
/// fees, and how it is recorded live.
/// </summary>
public sealed record Venue(string Name, string Description, IReadOnlyList<string> Aliases, bool Live, Func<VenueContext, IExchangeAdapter> Create)
{
    /// <summary>The base-tier maker and taker fees as the venue's fee page publishes them (backtests' default).</summary>
    public FeeSchedule Fees { get; init; }

    /// <summary>The venue's own market-data endpoint (a live recording's default; <see cref="LiveOptions.VenueBase"/> replaces its host).</summary>
    public string Endpoint { get; init; } = "";

    /// <summary>
    /// The exchange ids the venue's rows are stored under, each with what its trade ids are and its fees (by default
    /// the venue's id, with ids rising by one per trade, and <see cref="Fees"/>).
    /// </summary>
    public IReadOnlyList<StoredExchange> Stores
    {
        get => field ?? [new StoredExchange(Name, TradeIdKind.Sequential, Fees)];
        init;
    }

    /// <summary>
    /// Live recording: the connections to open for a recording of <see cref="LiveRequest.Symbols"/> under the name
    /// given (a venue may serve several markets: <c>bybit-spot</c> and <c>bybit</c>), run by the venue-neutral
    /// <see cref="WebSocketFeed"/>.
    /// </summary>
    public Func<LiveRequest, IReadOnlyList<ConnectionPlan>>? LivePlans { get; init; }

    /// <summary>
    /// Live recording by a feed of the venue's own, for a venue that needs more than connections (Binance: its
    /// combined-stream connections on <see cref="WebSocketFeed"/> plus REST snapshots and their weight budget).
    /// </summary>
    public Func<LiveFeedRequest, ILiveFeed>? LiveFeed { get; init; }

    /// <summary>The venue's live feed for <paramref name="request"/>; null when it records only from captures and archives.</summary>
    public ILiveFeed? CreateFeed(LiveFeedRequest request) =>
        LiveFeed?.Invoke(request)
        ?? (LivePlans is { } plans ? new WebSocketFeed(request.Options, plans(request.Request), request.Pipe, request.Source) : null);

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
        Binance.BinanceVenue.Spot,
        Binance.BinanceVenue.Futures,
        Coinbase.CoinbaseVenue.Venue,
        Okx.OkxVenue.Venue,
        Bybit.BybitVenue.Venue,
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
