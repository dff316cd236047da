namespace TickEngine.Engine.Validation;

/// <summary>What <see cref="Validator"/> judges by.</summary>
public sealed record ValidationOptions
{
    /// <summary>Exchange time further than this from the receive time is a problem (the recorder's default bound too).</summary>
    public static readonly TimeSpan DefaultSkewTolerance = TimeSpan.FromMinutes(5);

    /// <summary>A median receive − exchange skew above this is reported as an observation.</summary>
    public static readonly TimeSpan SkewObservation = TimeSpan.FromSeconds(1);

    /// <summary>Quiet spells longer than this are observed (ns).</summary>
    public long MaxGapNs { get; init; } = 2_000_000_000;

    /// <summary>Exchange time further than this from the receive time is a problem (ns).</summary>
    public long ToleranceNs { get; init; } = (long)DefaultSkewTolerance.TotalMilliseconds * 1_000_000;

    /// <summary>Examples kept per kind of problem or observation.</summary>
    public int MaxExamples { get; init; } = 5;
}
