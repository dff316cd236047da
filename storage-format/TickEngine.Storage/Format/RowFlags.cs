namespace TickEngine.Storage.Format;

/// <summary>Bits of every schema's <c>flags</c> column (FORMAT.md, "Flags"). Unassigned bits are zero.</summary>
[Flags]
public enum RowFlags : long
{
    None = 0,
    /// <summary>Deltas: this row starts a snapshot; the book is cleared before it is applied.</summary>
    SnapshotBegins = 1 << 0,
    /// <summary>Deltas: the last level change of one exchange message; the book is consistent after it.</summary>
    LastInMessage = 1 << 1,
    /// <summary>Deltas: the book was reset (cleared) here without a snapshot following at once.</summary>
    BookReset = 1 << 2,
    /// <summary>Deltas: the row belongs to a snapshot rather than an incremental update.</summary>
    FromSnapshot = 1 << 3,
    /// <summary>The receive time was not recorded (imported data): it repeats the exchange time.</summary>
    ReceiveTimeUnknown = 1 << 8,
    /// <summary>Bars: the bar is not final (the recording stopped inside its interval).</summary>
    Partial = 1 << 9,
    /// <summary>Trades: an aggregate trade (Binance aggTrade); trade_id is the aggregate id.</summary>
    Aggregated = 1 << 10,
    /// <summary>
    /// Trades (format 1.1): two bits, the form of the trade id (<see cref="TradeIds"/>): 0 an integer in trade_id;
    /// 1 a lower-case UUID, 2 an upper-case UUID, 3 text of 1..16 bytes, each in trade_id and trade_id_lo.
    /// </summary>
    TradeIdForm = 3 << 11,
    /// <summary>
    /// Trades: history the exchange sent at subscription (OKX's last trade, Coinbase's snapshot of recent trades), not
    /// as it happened: its exchange time may be long before its receive time, and it neither starts nor breaks a run of
    /// trade ids.
    /// </summary>
    History = 1 << 13,
    /// <summary>The exchange sent no time with the row (Binance spot's bookTicker): its exchange time repeats its receive time (1.3).</summary>
    ExchangeTimeUnknown = 1 << 14,
}
