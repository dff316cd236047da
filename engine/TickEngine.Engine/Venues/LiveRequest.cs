using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues;

/// <summary>What a live recording asks a venue for: the name it was given, the symbols, the data, and a base URL instead of the venue's (a simulator).</summary>
public sealed record LiveRequest(string Name, IReadOnlyList<string> Symbols, bool Trades, bool Books, Uri? BaseUrl)
{
    /// <summary>The venue's best bid and ask as it states them (the quotes schema).</summary>
    public bool Quotes { get; init; }

    /// <summary>Funding rates, mark and index prices (the funding schema; perpetual contracts).</summary>
    public bool Funding { get; init; }
}
