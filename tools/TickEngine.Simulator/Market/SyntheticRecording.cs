using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;

namespace TickEngine.Simulator.Market;

/// <summary>
/// The synthetic market written as a recording (deltas and trades of one symbol, exchange <c>synthetic</c>, prices
/// at 2 decimals, quantities at 5), so every research verb runs on it exactly as on a capture. Deterministic for a
/// seed: the same seed and length give the same rows. Receive times model a feed: each event arrives after a delay
/// drawn from the same seed (0.3 to 3 ms, and one event in 50 a burst of up to 40 ms), never before the previous one
/// of its stream.
/// </summary>
public static class SyntheticRecording
{
    public const string Exchange = "synthetic";

    /// <summary>
    /// The synthetic market's second venue (with <c>lagged</c>): the same book and trades 40 ms later on a venue
    /// whose clock runs 250 ms ahead of the first's, with a feed delay of its own: two books of one asset, one
    /// leading, for cross-venue strategies.
    /// </summary>
    public const string LaggedExchange = "synthetic-b";

    /// <summary>Writes <paramref name="events"/> market events (book messages, trades; quotes are skipped) from <paramref name="startNs"/>. Returns the rows written.</summary>
    public static (long Deltas, long Trades) Write(string root, string symbol, int seed, long events, long startNs, int eventsPerSecond = 1_000, CancellationToken cancel = default,
        bool lagged = false)
    {
        var first = Write(root, Exchange, symbol, seed, events, startNs, eventsPerSecond, 0, 0, cancel);
        if (!lagged) return first;
        var second = Write(root, LaggedExchange, symbol, seed, events, startNs, eventsPerSecond, 40_000_000, 250_000_000, cancel);
        return (first.Deltas + second.Deltas, first.Trades + second.Trades);
    }

    private static (long Deltas, long Trades) Write(string root, string exchange, string symbol, int seed, long events, long startNs, int eventsPerSecond,
        long lagNs, long clockAheadNs, CancellationToken cancel)
    {
        var market = new SyntheticMarket([symbol], eventsPerSecond, seed, startNs / 1_000_000);
        var delay = new Random(unchecked(seed * 7919 + 17 + (int)(lagNs / 1_000_000)));
        long deltas = 0, trades = 0, lastBookR = long.MinValue, lastTradeR = long.MinValue;
        using var book = new PartitionedWriter(root, exchange, symbol, SegmentSchema.Create(SchemaKind.Deltas, priceScale: SyntheticMarket.PriceDecimals, quantityScale: SyntheticMarket.QuantityDecimals));
        using var prints = new PartitionedWriter(root, exchange, symbol, SegmentSchema.Create(SchemaKind.Trades, priceScale: SyntheticMarket.PriceDecimals, quantityScale: SyntheticMarket.QuantityDecimals));
        var d = new long[DeltaColumns.Count];
        var t = new long[TradeColumns.Count];
        long Delay() => delay.Next(50) == 0 ? 1_000_000 + delay.Next(39_000_000) : 300_000 + delay.Next(2_700_000);
        foreach (var e in market.Events(events, cancel: cancel))
        {
            switch (e)
            {
                case SyntheticBook b:
                {
                    long x = b.TimeNs + lagNs, r = Math.Max(lastBookR, x + Delay());
                    lastBookR = r;
                    for (int i = 0; i < b.Levels.Length; i++)
                    {
                        var l = b.Levels[i];
                        long flags = 0;
                        if (b.Snapshot) flags |= (long)RowFlags.FromSnapshot | (i == 0 ? (long)RowFlags.SnapshotBegins : 0);
                        if (i == b.Levels.Length - 1) flags |= (long)RowFlags.LastInMessage;
                        d[DeltaColumns.ExchangeTime] = x + clockAheadNs; d[DeltaColumns.ReceiveTime] = r;
                        d[DeltaColumns.FirstUpdateId] = b.FirstId; d[DeltaColumns.LastUpdateId] = b.LastId;
                        d[DeltaColumns.Side] = (long)(l.Bid ? BookSide.Bid : BookSide.Ask); d[DeltaColumns.Price] = l.Price; d[DeltaColumns.Quantity] = l.Quantity;
                        d[DeltaColumns.Flags] = flags;
                        book.Append(d);
                        deltas++;
                    }
                    break;
                }
                case SyntheticTrade tr:
                {
                    long x = tr.TimeNs + lagNs, r = Math.Max(lastTradeR, x + Delay());
                    lastTradeR = r;
                    t[TradeColumns.ExchangeTime] = x + clockAheadNs; t[TradeColumns.ReceiveTime] = r; t[TradeColumns.TradeId] = tr.Id;
                    t[TradeColumns.Price] = tr.Price; t[TradeColumns.Quantity] = tr.Quantity;
                    t[TradeColumns.Side] = (long)(tr.BuyerMaker ? TradeSide.Sell : TradeSide.Buy); t[TradeColumns.Flags] = 0;
                    prints.Append(t);
                    trades++;
                    break;
                }
            }
        }
        return (deltas, trades);
    }
}
