using System.Text;
using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator.Dialects.Binance;

/// <summary>
/// Binance's words for the simulated exchange (<see cref="SimulatedExchange"/>): stream names as subscription keys
/// (a depth stream's speeds folded), WebSocket control replies (<c>SUBSCRIBE</c>, <c>UNSUBSCRIBE</c>,
/// <c>LIST_SUBSCRIPTIONS</c>), REST depth snapshots and their errors, <c>exchangeInfo</c>, <c>bookTicker</c> from the
/// book, the diff that turns a looped market's book back to its start, <c>serverShutdown</c> and the fault frames;
/// and the diffs and snapshots it reads to keep its book. Its markets' frames are written by its sources
/// (<see cref="SyntheticMarketSource"/> from the venue-neutral synthetic market, <see cref="CaptureMarketSource"/>,
/// <see cref="RecordingMarketSource"/>); the routes by <see cref="SimulatorServer"/>.
/// </summary>
public sealed class BinanceProtocol : IRestSnapshotProtocol
{
    public string? MarketOf(string urlOrPath) => "binance";
    public string Key(string stream) => StreamKey.Of(stream);

    public ClientAction OnClient(ReadOnlySpan<byte> message, Func<string[]> subscriptions)
    {
        string[] sub = [], unsub = [];
        var reply = Control(message, a => sub = a, a => unsub = a, subscriptions);
        return new ClientAction(sub, unsub, [], [reply]);
    }

    /// <summary>Binance's frames come from its sources with their stream names: no capture frame is keyed here.</summary>
    public string? KeyOf(JsonElement frame) => frame.TryGetProperty("stream", out var s) ? s.GetString() : null;

    /// <summary>A diff (raw payload): its level changes applied to the book of its symbol.</summary>
    public (string Symbol, bool Delta)? ApplyBook(JsonElement root, Func<string, ExchangeBook> books)
    {
        if (!root.TryGetProperty("s", out var sym) || sym.GetString() is not { } symbol) return null;
        var book = books(symbol);
        foreach (var (side, name) in new[] { (BookSide.Bid, "b"), (BookSide.Ask, "a") })
            if (root.TryGetProperty(name, out var levels))
                foreach (var level in levels.EnumerateArray())
                    book.Book.Set(side, Value(level[0].GetString(), book.Scale), Value(level[1].GetString(), book.Scale));
        return (symbol, true);
    }

    public MarketFrame? Quote(MarketFrame frame, ExchangeBook b)
    {
        if (!b.Book.TryBestBid(out long bp, out long bq) || !b.Book.TryBestAsk(out long ap, out long aq)) return null;
        var bytes = BookTicker(frame.Symbol, b.Book.UpdateId, bp, bq, ap, aq, b.Scale);
        return frame with { Raw = bytes, Combined = FrameRewriter.Wrap(frame.Stream, bytes) };
    }

    public string RestDepth(ExchangeBook book, int limit) => Depth(book.Book, limit, book.Scale);

    public string RestError(int status) => status switch
    {
        429 => TooManyRequests,
        500 => ServerError,
        503 => BookNotReady,
        _ => InvalidSymbol,
    };

    string IRestSnapshotProtocol.ExchangeInfo(IEnumerable<string> symbols) => ExchangeInfo(symbols);

    public void ReadRestSnapshot(byte[] body, ExchangeBook book) => ReadSnapshot(body, book.Book, book.Scale);

    public MarketFrame ResetDiff(string symbol, long timeNs, long updateId, long eventTimeMs, IEnumerable<(BookSide Side, long Price, long Qty)> changes, int scale)
    {
        string stream = symbol.ToLowerInvariant() + "@depth@100ms";
        var raw = Diff(symbol, updateId, eventTimeMs, changes, scale);
        return new MarketFrame(timeNs, stream, Market.FrameKind.DepthDiff, symbol, FrameRewriter.Wrap(stream, raw), raw, updateId, updateId);
    }

    byte[] IExchangeProtocol.Malformed() => Malformed();
    byte[]? IExchangeProtocol.ServerShutdown(long eventTimeMs) => ServerShutdown(eventTimeMs);
    byte[] IExchangeProtocol.Oversize(int size) => Oversize(size);

    /// <summary>Binance's synthetic market is written by <see cref="SyntheticMarketSource"/> (its frames carry the ids the exchange's book follows).</summary>

    public const string TooManyRequests = "{\"code\":-1003,\"msg\":\"Too many requests.\"}";
    public const string ServerError = "{\"code\":-1000,\"msg\":\"An unknown error occurred.\"}";
    public const string InvalidSymbol = "{\"code\":-1121,\"msg\":\"Invalid symbol.\"}";
    public const string BookNotReady = "{\"code\":-1001,\"msg\":\"Book not ready.\"}";

    /// <summary>A REST depth snapshot of <paramref name="book"/>'s top <paramref name="limit"/> levels a side (values at <paramref name="scale"/>).</summary>
    public static string Depth(OrderBook book, int limit, int scale)
    {
        var prices = new long[limit];
        var qtys = new long[limit];
        var sb = new StringBuilder();
        sb.Append("{\"lastUpdateId\":").Append(book.UpdateId);
        foreach (var (side, name) in new[] { (BookSide.Bid, "bids"), (BookSide.Ask, "asks") })
        {
            int n = book.CopyTop(side, prices, qtys);
            sb.Append(",\"").Append(name).Append("\":[");
            for (int i = 0; i < n; i++)
            {
                if (i > 0) sb.Append(',');
                sb.Append("[\"").Append(FixedDecimal.ToString(prices[i], scale)).Append("\",\"").Append(FixedDecimal.ToString(qtys[i], scale)).Append("\"]");
            }
            sb.Append(']');
        }
        return sb.Append('}').ToString();
    }

    public static string ExchangeInfo(IEnumerable<string> symbols) =>
        "{\"timezone\":\"UTC\",\"symbols\":[" + string.Join(",", symbols.Select(s => $"{{\"symbol\":\"{s}\",\"status\":\"TRADING\"}}")) + "]}";

    /// <summary>A bookTicker (raw payload) of the best bid and ask at update id <paramref name="updateId"/>.</summary>
    public static byte[] BookTicker(string symbol, long updateId, long bidPrice, long bidQty, long askPrice, long askQty, int scale) =>
        Encoding.UTF8.GetBytes($"{{\"u\":{updateId},\"s\":\"{symbol}\",\"b\":\"{FixedDecimal.ToString(bidPrice, scale)}\",\"B\":\"{FixedDecimal.ToString(bidQty, scale)}\",\"a\":\"{FixedDecimal.ToString(askPrice, scale)}\",\"A\":\"{FixedDecimal.ToString(askQty, scale)}\"}}");

    /// <summary>One diff (raw payload) with update id <paramref name="updateId"/> making <paramref name="changes"/>.</summary>
    public static byte[] Diff(string symbol, long updateId, long eventTimeMs, IEnumerable<(BookSide Side, long Price, long Qty)> changes, int scale)
    {
        var list = changes.ToList();
        string Side(BookSide side) => string.Join(",", list.Where(c => c.Side == side).Select(c => $"[\"{FixedDecimal.ToString(c.Price, scale)}\",\"{FixedDecimal.ToString(c.Qty, scale)}\"]"));
        return Encoding.UTF8.GetBytes($"{{\"e\":\"depthUpdate\",\"E\":{eventTimeMs},\"s\":\"{symbol}\",\"U\":{updateId},\"u\":{updateId},\"b\":[{Side(BookSide.Bid)}],\"a\":[{Side(BookSide.Ask)}]}}");
    }

    /// <summary>The reply to a client's WebSocket message, after acting on it through <paramref name="subscribe"/> and <paramref name="unsubscribe"/>.</summary>
    public static byte[] Control(ReadOnlySpan<byte> message, Action<string[]> subscribe, Action<string[]> unsubscribe, Func<string[]> subscriptions)
    {
        try
        {
            using var doc = JsonDocument.Parse(message.ToArray());
            var root = doc.RootElement;
            string method = root.TryGetProperty("method", out var m) ? m.GetString() ?? "" : "";
            string id = root.TryGetProperty("id", out var idEl) ? idEl.GetRawText() : "null";
            var args = root.TryGetProperty("params", out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().Select(x => x.GetString() ?? "").ToArray() : [];
            switch (method)
            {
                case "SUBSCRIBE": subscribe(args); return Encoding.UTF8.GetBytes($"{{\"result\":null,\"id\":{id}}}");
                case "UNSUBSCRIBE": unsubscribe(args); return Encoding.UTF8.GetBytes($"{{\"result\":null,\"id\":{id}}}");
                case "LIST_SUBSCRIPTIONS": return Encoding.UTF8.GetBytes($"{{\"result\":{JsonSerializer.Serialize(subscriptions())},\"id\":{id}}}");
                default: return Encoding.UTF8.GetBytes($"{{\"code\":2,\"msg\":\"Invalid request: unknown method\",\"id\":{id}}}");
            }
        }
        catch (JsonException)
        {
            return Encoding.UTF8.GetBytes("{\"code\":3,\"msg\":\"Invalid JSON\"}");
        }
    }

    /// <summary>Binance's notice that the server is going away (combined-stream form).</summary>
    public static byte[] ServerShutdown(long eventTimeMs) =>
        Encoding.UTF8.GetBytes($"{{\"stream\":\"!serverShutdown\",\"data\":{{\"e\":\"serverShutdown\",\"E\":{eventTimeMs}}}}}");

    /// <summary>A trade frame cut short: not valid JSON.</summary>
    public static byte[] Malformed() => "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"tra"u8.ToArray();

    /// <summary>A well-formed trade frame padded to <paramref name="size"/> bytes.</summary>
    public static byte[] Oversize(int size)
    {
        var head = "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"pad\":\""u8;
        var tail = "\"}}"u8;
        var frame = new byte[Math.Max(size, head.Length + tail.Length)];
        head.CopyTo(frame);
        frame.AsSpan(head.Length, frame.Length - head.Length - tail.Length).Fill((byte)'x');
        tail.CopyTo(frame.AsSpan(frame.Length - tail.Length));
        return frame;
    }

    /// <summary>Reads a REST depth snapshot into <paramref name="book"/> (cleared first), values at <paramref name="scale"/>.</summary>
    public static void ReadSnapshot(byte[] body, OrderBook book, int scale)
    {
        using var doc = JsonDocument.Parse(body);
        var root = doc.RootElement;
        book.Clear();
        foreach (var (side, name) in new[] { (BookSide.Bid, "bids"), (BookSide.Ask, "asks") })
            foreach (var level in root.GetProperty(name).EnumerateArray())
                book.Set(side, Value(level[0].GetString(), scale), Value(level[1].GetString(), scale));
        book.UpdateId = root.GetProperty("lastUpdateId").GetInt64();
    }

    private static long Value(string? text, int scale)
    {
        if (!FixedDecimal.TryParse((text ?? "").AsSpan(), scale, out long v, out var err))
            throw new InvalidDataException($"market value '{text}': {err}");
        return v;
    }
}
