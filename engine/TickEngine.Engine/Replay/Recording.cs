using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Replay;

/// <summary>
/// A recorded data root for tests and analysis: typed rows of a symbol over a time range [start, end), and the
/// full book rebuilt from deltas after every message. Convenient rather than fast (it allocates per row): the
/// ring and the handlers are the fast path. Example:
/// <code>
/// var rec = Recording.Open("data");
/// foreach (var t in rec.Trades("BTCUSDT", start, end)) ...
/// foreach (var b in rec.Books("BTCUSDT", levels: 10)) if (b.Valid) ...
/// </code>
/// </summary>
public sealed class Recording
{
    private readonly string _root;

    private Recording(string root) => _root = root;

    public static Recording Open(string root) =>
        Directory.Exists(root) ? new Recording(root) : throw new DirectoryNotFoundException($"{root}: no such data root");

    public IEnumerable<TradeRow> Trades(string symbol, DateTimeOffset? start = null, DateTimeOffset? end = null, string? exchange = null)
    {
        using var r = Reader(symbol, exchange, start, end, SchemaKind.Trades);
        while (r.MoveNext())
        {
            var c = r.Current;
            int ps = c.Reader.Schema.PriceScale, qs = c.Reader.Schema.QuantityScale;
            long lo = c.Reader.Schema.TextTradeIds ? c[TradeColumns.TradeIdLo] : 0;
            yield return new TradeRow(c[TradeColumns.ExchangeTime], c[TradeColumns.ReceiveTime], c[TradeColumns.TradeId],
                Dec(c[TradeColumns.Price], ps), Dec(c[TradeColumns.Quantity], qs), (TradeSide)c[TradeColumns.Side],
                TradeIds.ToText(c[TradeColumns.TradeId], lo, c[TradeColumns.Flags]) ?? "invalid");
        }
    }

    public IEnumerable<L2Row> L2(string symbol, DateTimeOffset? start = null, DateTimeOffset? end = null, string? exchange = null)
    {
        using var r = Reader(symbol, exchange, start, end, SchemaKind.L2);
        while (r.MoveNext())
        {
            var c = r.Current;
            var s = c.Reader.Schema;
            var bids = new List<(decimal, decimal)>();
            var asks = new List<(decimal, decimal)>();
            for (int i = 0; i < c[L2Columns.BidCount]; i++) bids.Add((Dec(c[L2Columns.BidPrice(i)], s.PriceScale), Dec(c[L2Columns.BidPrice(i) + 1], s.QuantityScale)));
            for (int i = 0; i < c[L2Columns.AskCount]; i++) asks.Add((Dec(c[L2Columns.AskPrice(s.Depth, i)], s.PriceScale), Dec(c[L2Columns.AskPrice(s.Depth, i) + 1], s.QuantityScale)));
            yield return new L2Row(c[0], c[1], c[L2Columns.UpdateId], bids, asks);
        }
    }

    public IEnumerable<BarRow> Bars(string symbol, DateTimeOffset? start = null, DateTimeOffset? end = null, string? exchange = null)
    {
        using var r = Reader(symbol, exchange, start, end, SchemaKind.Bars);
        while (r.MoveNext())
        {
            var c = r.Current;
            int ps = c.Reader.Schema.PriceScale, qs = c.Reader.Schema.QuantityScale;
            yield return new BarRow(c[BarColumns.OpenTime], c[BarColumns.Interval], Dec(c[BarColumns.Open], ps), Dec(c[BarColumns.High], ps), Dec(c[BarColumns.Low], ps),
                Dec(c[BarColumns.Close], ps), Dec(c[BarColumns.Volume], qs), Dec(c[BarColumns.BuyVolume], qs), c[BarColumns.TradeCount]);
        }
    }

    /// <summary>The book after every complete message (snapshots included), top <paramref name="levels"/> per side.</summary>
    public IEnumerable<BookState> Books(string symbol, int levels = 10, DateTimeOffset? start = null, DateTimeOffset? end = null, string? exchange = null)
    {
        // The book must be built from the start of the data to be right at `start`: read everything, show the range.
        using var r = Reader(symbol, exchange, null, end, SchemaKind.Deltas, SchemaKind.Status);
        var book = new BookRebuilder();
        long from = start is { } s ? Ns(s) : long.MinValue;
        var px = new long[levels];
        var qty = new long[levels];
        while (r.MoveNext())
        {
            var c = r.Current;
            var e = default(MarketEvent);
            RowEvents.Fill(c, r.Kind, 0, ref e);
            book.Apply(e);
            if (r.Kind != SchemaKind.Deltas || !book.Consistent || e.ExchangeTime < from) continue;
            var schema = c.Reader.Schema;
            yield return new BookState(e.ExchangeTime, book.Book.UpdateId, book.Valid, Levels(book.Book, BookSide.Bid, px, qty, schema), Levels(book.Book, BookSide.Ask, px, qty, schema));
        }
    }

    private static List<(decimal, decimal)> Levels(OrderBook book, BookSide side, long[] px, long[] qty, SegmentSchema s)
    {
        int n = book.CopyTop(side, px, qty);
        var list = new List<(decimal, decimal)>(n);
        for (int i = 0; i < n; i++) list.Add((Dec(px[i], s.PriceScale), Dec(qty[i], s.QuantityScale)));
        return list;
    }

    private ReplayReader Reader(string symbol, string? exchange, DateTimeOffset? start, DateTimeOffset? end, params SchemaKind[] kinds) =>
        new(new ReplaySelection
        {
            Root = _root,
            Symbols = [symbol],
            Exchanges = exchange is null ? null : [exchange],
            Schemas = kinds.ToHashSet(),
            StartNs = start is { } s ? Ns(s) : long.MinValue,
            EndNs = end is { } e ? Ns(e) : long.MaxValue,
        });

    private static long Ns(DateTimeOffset t) => (t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    /// <summary>mantissa x 10^-scale as an exact decimal (decimal holds 96-bit mantissas; ours are 64-bit).</summary>
    private static decimal Dec(long mantissa, int scale)
    {
        ulong m = mantissa < 0 ? (ulong)(-(mantissa + 1)) + 1 : (ulong)mantissa;
        return new decimal((int)(uint)m, (int)(uint)(m >> 32), 0, mantissa < 0, (byte)scale);
    }
}
