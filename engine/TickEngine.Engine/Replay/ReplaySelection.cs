using TickEngine.Storage.Format;

namespace TickEngine.Engine.Replay;

/// <summary>Which time orders a replay.</summary>
public enum ReplayClock
{
    /// <summary>The exchange's time (column 0).</summary>
    Exchange,
    /// <summary>Our receive time (column 1): the order events arrived in.</summary>
    Receive,
}

/// <summary>What a replay reads: a data root, a selection of exchanges, symbols and schemas, and a range [start, end).</summary>
public sealed record ReplaySelection
{
    public required string Root { get; init; }
    public IReadOnlyList<string>? Exchanges { get; init; }
    public IReadOnlyList<string>? Symbols { get; init; }
    public IReadOnlySet<SchemaKind> Schemas { get; init; } = new HashSet<SchemaKind> { SchemaKind.Status, SchemaKind.Deltas, SchemaKind.Trades };
    public long StartNs { get; init; } = long.MinValue;
    public long EndNs { get; init; } = long.MaxValue;
    public ReplayClock Clock { get; init; } = ReplayClock.Exchange;
}
