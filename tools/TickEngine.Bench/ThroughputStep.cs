namespace TickEngine.Bench;

/// <summary>One step of the ramp.</summary>
public sealed record ThroughputStep(int Rate, LatencyReport Report, bool Held, string Why);
