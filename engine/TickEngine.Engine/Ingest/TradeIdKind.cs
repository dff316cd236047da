namespace TickEngine.Engine.Ingest;

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
