using TickEngine.Storage.Format;

namespace TickEngine.Engine.Replay;

/// <summary>
/// What a replay reads: a data root (or explicit segment files), a selection of exchanges, symbols and schemas,
/// and a range [start, end).
/// </summary>
public sealed record ReplaySelection
{
    /// <summary>The data root to search; ignored when <see cref="Files"/> are given.</summary>
    public string Root { get; init; } = "";

    /// <summary>Exactly these segment files (exchange, symbol, schema and day read from their headers).</summary>
    public IReadOnlyList<string>? Files { get; init; }

    public IReadOnlyList<string>? Exchanges { get; init; }
    public IReadOnlyList<string>? Symbols { get; init; }
    public IReadOnlySet<SchemaKind> Schemas { get; init; } = new HashSet<SchemaKind> { SchemaKind.Status, SchemaKind.Deltas, SchemaKind.Trades };
    public long StartNs { get; init; } = long.MinValue;
    public long EndNs { get; init; } = long.MaxValue;
    public ReplayClock Clock { get; init; } = ReplayClock.Exchange;
    public DamagePolicy Damage { get; init; } = DamagePolicy.Throw;
}
