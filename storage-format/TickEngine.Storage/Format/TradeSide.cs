namespace TickEngine.Storage.Format;

/// <summary>The aggressor (taker) side of a trade, as stored in the <c>side</c> column.</summary>
public enum TradeSide : byte
{
    Unknown = 0,
    Buy = 1,
    Sell = 2,
}
