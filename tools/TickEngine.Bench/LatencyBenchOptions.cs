using TickEngine.Simulator.Dialects.Binance;
using System.Diagnostics;
using TickEngine.Engine.Live;
using TickEngine.Engine.Metrics;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;

namespace TickEngine.Bench;

/// <summary>What <see cref="LatencyBench"/> runs.</summary>
public sealed record LatencyBenchOptions
{
    /// <summary>Trade frames per second the simulator offers (one symbol, evenly spaced).</summary>
    public int Rate { get; init; } = 10_000;

    /// <summary>The measured window, after the warm-up.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Sent before the measured window (JIT, first segment, connection) and not measured.</summary>
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The recorder's commit interval (the production default is 1 s).</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Where segments go while the bench runs (deleted at the end); a temporary folder when null.</summary>
    public string? DataRoot { get; init; }

    public string Symbol { get; init; } = "BTCUSDT";
}
