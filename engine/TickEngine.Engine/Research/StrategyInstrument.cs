namespace TickEngine.Engine.Research;

/// <summary>What a strategy is made for: the instrument's scales and its tick and lot.</summary>
public sealed record StrategyInstrument(int PriceScale, int QuantityScale, InstrumentRules Rules)
{
    /// <summary>Scales only, no grid (parameter checks before the data is read).</summary>
    public static StrategyInstrument Of(int priceScale, int quantityScale) => new(priceScale, quantityScale, InstrumentRules.Units);
}
