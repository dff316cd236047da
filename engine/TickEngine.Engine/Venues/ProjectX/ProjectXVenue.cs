using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Venues.ProjectX;

/// <summary>
/// ProjectX Gateway (the platform behind TopstepX and other futures firms): CME futures recorded live over its SignalR
/// market hub (<see cref="ProjectXFeed"/>), rows stored under the contract id (<c>CON.F.US.MNQ.Z26</c>). Prints carry
/// no id (numbered as received, <see cref="TradeIdKind.Integer"/>). Fees are per contract at CME, not a share of
/// notional: none are assumed (give a backtest its own).
/// </summary>
public static class ProjectXVenue
{
    public static Venue Venue { get; } = new(ProjectXAdapter.Name, "ProjectX Gateway (CME futures: TopstepX and other firms)", ["topstepx", "topstep"], Live: true,
        c => new ProjectXAdapter(c.Registry, c.Publisher)
        {
            Rules = c.Rules,
            Requester = c.Requester,
            PublishQuotes = c.Writes(Storage.Format.SchemaKind.Quotes),
        })
    {
        Fees = FeeSchedule.FromBps(0m, 0m),
        Endpoint = ProjectXFeed.DefaultHub,
        Stores = [new StoredExchange(ProjectXAdapter.Name, TradeIdKind.Integer, FeeSchedule.FromBps(0m, 0m))],
        LiveFeed = r => new ProjectXFeed(r),
    };
}
