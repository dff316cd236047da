using TickEngine.Engine.Research.Strategies;

namespace TickEngine.Engine.Research;

/// <summary>
/// A strategy <c>backtest</c> and <c>tune</c> can name: its name, what it does, its parameters (name, default, meaning)
/// and how it is made from <c>--param</c> values at the instrument's scales.
/// </summary>
public sealed record StrategyKind(string Name, string Summary, IReadOnlyList<(string Name, string Default, string Meaning)> Parameters,
    Func<StrategyParameters, int, int, IStrategy> Create);
