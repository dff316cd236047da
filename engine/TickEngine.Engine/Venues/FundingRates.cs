using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Venues;

/// <summary>
/// Funding rates as exact decimals at a scale of their own (the funding schema's decimal column): at least
/// <see cref="DefaultScale"/> decimals, more when a rate has them (a new segment part then), at most 18. Thread-safe.
/// </summary>
public static class FundingRates
{
    /// <summary>The decimals a funding rate is stored at unless one has more (exchanges send up to 8 or 10).</summary>
    public const int DefaultScale = 10;

    /// <summary>A rate's mantissa at the smallest scale from <see cref="DefaultScale"/> up that holds it exactly.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long mantissa, out int scale)
    {
        scale = DefaultScale;
        if (FixedDecimal.TryParse(text, scale, out mantissa, out var error)) return true;
        if (error != DecimalParseError.TooManyDecimals || !FixedDecimal.TryFit(text, out int min, out int max) || min > max || min < DefaultScale) return false;
        scale = min;
        return FixedDecimal.TryParse(text, scale, out mantissa, out _);
    }
}
