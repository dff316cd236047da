using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Simulator.Dialects;

namespace TickEngine.Simulator.Dialects.Bybit;

/// <summary>
/// Bybit v5 public streams: <c>/v5/public/spot|linear|inverse</c>; <c>{"op":"subscribe","args":["orderbook.50.S",...]}</c>
/// acknowledged with <c>{"success":true,...,"op":"subscribe"}</c>; <c>{"op":"ping"}</c> answered with a pong; a book of any
/// depth subscribed gets the capture's book frames and, mid-stream, a fresh snapshot (<c>u</c>, <c>seq</c>, <c>ts</c>, <c>cts</c>).
/// </summary>
public sealed class BybitProtocol : ISyntheticProtocol
{
    public string? MarketOf(string urlOrPath)
    {
        string p = urlOrPath.TrimEnd('/');
        int at = p.IndexOf("/v5/public/", StringComparison.Ordinal);
        return at < 0 ? null : p[(at + "/v5/public/".Length)..];
    }

    /// <summary>"orderbook:S" for any book depth (the capture's depth is what plays), else the topic.</summary>
    private static string Key(string topic) =>
        topic.StartsWith("orderbook.", StringComparison.Ordinal) ? "orderbook:" + topic[(topic.LastIndexOf('.') + 1)..] : topic;

    public string? KeyOf(JsonElement frame) => frame.TryGetProperty("topic", out var t) ? Key(t.GetString()!) : null;

    public (string Symbol, bool Delta)? ApplyBook(JsonElement frame, Func<string, ExchangeBook> books)
    {
        if (!frame.TryGetProperty("topic", out var t) || !t.GetString()!.StartsWith("orderbook.", StringComparison.Ordinal)) return null;
        var data = frame.GetProperty("data");
        string symbol = data.GetProperty("s").GetString()!;
        var book = books(symbol);
        bool snapshot = frame.GetProperty("type").GetString() == "snapshot";
        if (snapshot) book.Clear();
        foreach (var (side, bid) in new[] { ("b", true), ("a", false) })
            foreach (var level in data.GetProperty(side).EnumerateArray()) book.Set(bid, level[0].GetString()!, level[1].GetString()!);
        book.Fields["u"] = data.GetProperty("u").GetInt64();
        book.Fields["seq"] = data.TryGetProperty("seq", out var seq) ? seq.GetInt64() : 0;
        book.Fields["ts"] = frame.GetProperty("ts").GetInt64();
        book.Fields["cts"] = frame.TryGetProperty("cts", out var cts) ? cts.GetInt64() : book.Fields["ts"];
        return (symbol, !snapshot);
    }

    public byte[]? Snapshot(string symbol, ExchangeBook b)
    {
        static string Levels(IEnumerable<(string P, string S)> l) => string.Join(",", l.Select(x => $"[\"{x.P}\",\"{x.S}\"]"));
        return System.Text.Encoding.UTF8.GetBytes($$"""{"topic":"orderbook.200.{{symbol}}","type":"snapshot","ts":{{b.Fields["ts"]}},"data":{"s":"{{symbol}}","b":[{{Levels(b.Levels(true))}}],"a":[{{Levels(b.Levels(false))}}],"u":{{b.Fields["u"]}},"seq":{{b.Fields["seq"]}}},"cts":{{b.Fields["cts"]}}}""");
    }

    public byte[] Malformed() => """{"topic":"publicTrade.BTCUSDT","type":"snap"""u8.ToArray();

    public byte[] Oversize(int size) => DialectFrames.Padded("""{"topic":"publicTrade.BTCUSDT","type":"snapshot","pad":" """.TrimEnd(), size);


    public ClientAction OnClient(ReadOnlySpan<byte> message, Func<string[]> subscriptions)
    {
        using var doc = JsonDocument.Parse(message.ToArray());
        string op = doc.RootElement.TryGetProperty("op", out var o) ? o.GetString() ?? "" : "";
        var args = doc.RootElement.TryGetProperty("args", out var a) ? a.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
        if (op == "ping") return new ClientAction([], [], [], ["""{"success":true,"ret_msg":"pong","conn_id":"sim","op":"ping"}"""u8.ToArray()]);
        if (op is not ("subscribe" or "unsubscribe")) return ClientAction.None;
        var keys = args.Select(Key).ToList();
        string ack = $$"""{"success":true,"ret_msg":"","conn_id":"sim","req_id":"","op":"{{op}}"}""";
        var books = op == "subscribe" ? keys.Where(k => k.StartsWith("orderbook:", StringComparison.Ordinal)).Select(k => k["orderbook:".Length..]).ToList() : [];
        byte[] reply = System.Text.Encoding.UTF8.GetBytes(ack);
        return op == "subscribe" ? new ClientAction(keys, [], books, [reply]) : new ClientAction([], keys, [], [reply]);
    }

    public ISyntheticWriter SyntheticWriter(string market) => new Writer(market);

    /// <summary>
    /// A synthetic market in Bybit's words: <c>orderbook.200</c> snapshot and deltas with <c>u</c> counting the
    /// symbol's book messages (1 = the snapshot) and <c>seq</c> its update id; <c>publicTrade</c> with the taker's side
    /// in <c>S</c> and ids as Bybit writes them per market (UUIDs on derivatives, digits on spot); <c>tickers</c> with
    /// the best bid and ask of the book as of cross sequence <c>cs</c>.
    /// </summary>
    private sealed class Writer(string market) : ISyntheticWriter
    {
        private readonly Dictionary<string, (OrderBook Book, long Seq)> _books = new(StringComparer.Ordinal);

        public IEnumerable<(string Key, string Text)> Write(SyntheticEvent e)
        {
            long ms = e.TimeNs / 1_000_000;
            switch (e)
            {
                case SyntheticBook b:
                {
                    if (!_books.TryGetValue(b.Symbol, out var state)) state = (new OrderBook(), 0);
                    if (b.Snapshot) state.Book.Clear();
                    foreach (var l in b.Levels) state.Book.Set(l.Bid ? BookSide.Bid : BookSide.Ask, l.Price, l.Quantity);
                    _books[b.Symbol] = (state.Book, b.LastId);
                    string Side(bool bid) => string.Join(",", b.Levels.Where(l => l.Bid == bid).Select(l => $"[\"{SyntheticMarket.Price(l.Price)}\",\"{SyntheticMarket.Quantity(l.Quantity)}\"]"));
                    string type = b.Snapshot ? "snapshot" : "delta";
                    yield return ("orderbook:" + b.Symbol, $$"""{"topic":"orderbook.200.{{b.Symbol}}","type":"{{type}}","ts":{{ms}},"data":{"s":"{{b.Symbol}}","b":[{{Side(true)}}],"a":[{{Side(false)}}],"u":{{b.Number}},"seq":{{b.LastId}}},"cts":{{ms}}}""");
                    break;
                }
                case SyntheticTrade t:
                {
                    string id = market == "spot" ? t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"00000000-0000-4000-8000-{t.Id:x12}";
                    string taker = t.BuyerMaker ? "Sell" : "Buy";
                    yield return ("publicTrade." + t.Symbol, $$"""{"topic":"publicTrade.{{t.Symbol}}","type":"snapshot","ts":{{ms}},"data":[{"T":{{ms}},"s":"{{t.Symbol}}","S":"{{taker}}","v":"{{SyntheticMarket.Quantity(t.Quantity)}}","p":"{{SyntheticMarket.Price(t.Price)}}","L":"ZeroPlusTick","i":"{{id}}","BT":false}]}""");
                    break;
                }
                case SyntheticQuote q when _books.TryGetValue(q.Symbol, out var state):
                {
                    if (!state.Book.TryBestBid(out long bp, out long bq) || !state.Book.TryBestAsk(out long ap, out long aq)) break;
                    yield return ("tickers." + q.Symbol, $$"""{"topic":"tickers.{{q.Symbol}}","type":"delta","data":{"symbol":"{{q.Symbol}}","bid1Price":"{{SyntheticMarket.Price(bp)}}","bid1Size":"{{SyntheticMarket.Quantity(bq)}}","ask1Price":"{{SyntheticMarket.Price(ap)}}","ask1Size":"{{SyntheticMarket.Quantity(aq)}}"},"cs":{{state.Seq}},"ts":{{ms}}}""");
                    break;
                }
            }
        }
    }
}
