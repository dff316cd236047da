namespace TickEngine.Storage.Format;

/// <summary>What a schema's columns are built for: levels per side, the price and quantity scales, text trade ids, and the scale of its decimal columns.</summary>
public readonly record struct SchemaOptions(int Depth, int PriceScale, int QuantityScale, bool TextTradeIds, int DecimalScale);
