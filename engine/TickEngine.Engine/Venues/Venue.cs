using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues;

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
