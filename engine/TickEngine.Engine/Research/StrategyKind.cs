using TickEngine.Engine.Research.Strategies;

namespace TickEngine.Engine.Research;

/// <summary>
/// A strategy <c>backtest</c> and <c>tune</c> can name: its name, what it does, its parameters (name, default, meaning)
/// and how it is made from <c>--param</c> values for the instrument (its scales, tick and lot).
/// </summary>
public sealed record StrategyKind(string Name, string Summary, IReadOnlyList<(string Name, string Default, string Meaning)> Parameters,
    Func<StrategyParameters, StrategyInstrument, IStrategy> Create)
{
    /// <summary>Ranges tune searches when not given otherwise (the strategy's design bounds); empty: none.</summary>
    public IReadOnlyList<TuneParameter> TuneBounds { get; init; } = [];

    /// <summary>How many instruments it trades at once (1; 2 for a cross-venue strategy).</summary>
    public int Instruments { get; init; } = 1;
}
