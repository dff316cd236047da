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
