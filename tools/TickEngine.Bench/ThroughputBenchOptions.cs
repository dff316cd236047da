namespace TickEngine.Bench;

/// <summary>What <see cref="ThroughputBench"/> runs.</summary>
public sealed record ThroughputBenchOptions
{
    /// <summary>The first offered rate (trade frames per second).</summary>
    public int StartRate { get; init; } = 50_000;

    /// <summary>The ramp stops here even if every rate was held.</summary>
    public int MaxRate { get; init; } = 2_000_000;

    /// <summary>Each step's rate is the previous one times this, until a rate is not held.</summary>
    public double Step { get; init; } = 1.5;

    /// <summary>Bisections between the highest rate held and the lowest not held.</summary>
    public int Refine { get; init; } = 3;

    /// <summary>Each step's measured window (after its own warm-up).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
}
