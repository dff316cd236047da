using System.Collections.Concurrent;
using System.Globalization;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Research;

/// <summary>One candidate: its parameters, in-sample (fit) and out-of-sample (test) results.</summary>
public sealed record TuneResult(IReadOnlyDictionary<string, string> Parameters, BacktestMetrics Fit, BacktestMetrics? Test, bool WithinDrawdown)
{
    public string Key => string.Join(" ", Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
}
