namespace TickEngine.Engine.Ingest;

/// <summary>A registered instrument: id (its index), exchange, symbol and the decimal scales of its prices and quantities.</summary>
public sealed record Instrument(int Id, string Exchange, string Symbol, int PriceScale, int QuantityScale);
