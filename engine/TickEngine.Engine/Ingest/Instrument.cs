namespace TickEngine.Engine.Ingest;

/// <summary>
/// A registered instrument: id (its index), exchange, symbol, the decimal scales of its prices and quantities, and
/// what its venue's trade ids are (<see cref="TradeIdKind"/>).
/// </summary>
public sealed record Instrument(int Id, string Exchange, string Symbol, int PriceScale, int QuantityScale, TradeIdKind TradeIds = TradeIdKind.Sequential)
{
    /// <summary>Trade ids of any form, stored as format 1.1 text ids.</summary>
    public bool TextTradeIds => TradeIds == TradeIdKind.Text;
}

/// <summary>What a venue's trade ids are, per instrument.</summary>
public enum TradeIdKind : byte
{
    /// <summary>Integers rising by one per trade (Binance, OKX, Coinbase): a skipped id is a missed trade.</summary>
    Sequential = 0,
    /// <summary>Integers with no promise of continuity (Bybit spot): nothing can be said about missed trades from them.</summary>
    Integer = 1,
    /// <summary>Any text (Bybit derivatives send UUIDs): stored exactly as format 1.1 text ids.</summary>
    Text = 2,
}
