using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues;

/// <summary>An exchange id a venue's rows are stored under: what its trade ids are and its base-tier fees.</summary>
public sealed record StoredExchange(string Exchange, TradeIdKind TradeIds, FeeSchedule Fees);
