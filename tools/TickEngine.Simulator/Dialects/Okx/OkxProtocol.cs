using System.Text.Json;
using TickEngine.Simulator.Market;
using TickEngine.Engine.Book;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;
using TickEngine.Simulator.Dialects;

namespace TickEngine.Simulator.Dialects.Okx;

/// <summary>
/// OKX v5 public streams: <c>/ws/v5/public</c>; <c>{"op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"},...]}</c>
/// acknowledged per argument with <c>{"event":"subscribe","arg":{...}}</c>; the text <c>ping</c> answered with
/// <c>pong</c>; a book subscribed mid-stream gets a fresh snapshot with its CRC-32 checksum of the top 25 levels.
/// </summary>
public sealed class OkxProtocol : ISyntheticProtocol
{
    public string? MarketOf(string urlOrPath) => urlOrPath.TrimEnd('/').EndsWith("/ws/v5/public", StringComparison.Ordinal) ? "public" : null;

    private static string Key(string channel, string inst) => $"{channel}:{inst}";

    public string? KeyOf(JsonElement frame) =>
        frame.TryGetProperty("data", out _) && frame.TryGetProperty("arg", out var arg)
            ? Key(arg.GetProperty("channel").GetString()!, arg.GetProperty("instId").GetString()!)
            : null;

    public (string Symbol, bool Delta)? ApplyBook(JsonElement frame, Func<string, ExchangeBook> books)
    {
        if (!frame.TryGetProperty("arg", out var arg) || arg.GetProperty("channel").GetString() != "books" || !frame.TryGetProperty("data", out var data)) return null;
        string inst = arg.GetProperty("instId").GetString()!;
        var book = books(inst);
        var text = (OkxTextBook)(book.State ??= new OkxTextBook());
        bool snapshot = frame.GetProperty("action").GetString() == "snapshot";
        if (snapshot)
        {
            book.Clear();
            text.Clear();
        }
        foreach (var d in data.EnumerateArray())
        {
            foreach (var (side, bid) in new[] { ("bids", true), ("asks", false) })
                foreach (var level in d.GetProperty(side).EnumerateArray())
                {
                    string px = level[0].GetString()!, sz = level[1].GetString()!;
                    book.Set(bid, px, sz);
                    text.Set(bid, px, sz);
                }
            book.Fields["ts"] = long.Parse(d.GetProperty("ts").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            if (d.TryGetProperty("seqId", out var seq)) book.Fields["seqId"] = seq.GetInt64();
        }
        return (inst, !snapshot);
    }

    public byte[]? Snapshot(string symbol, ExchangeBook b)
    {
        // The book as OKX's own strings, and its checksum as OKX documents it (not the engine's code: OkxTextBook).
        var text = (OkxTextBook)(b.State ??= new OkxTextBook());
        int checksum = text.Checksum();
        static string Levels(IEnumerable<(string P, string S)> l) => string.Join(",", l.Select(x => $"[\"{x.P}\",\"{x.S}\",\"0\",\"1\"]"));
        string seq = b.Fields.TryGetValue("seqId", out long id) ? $",\"seqId\":{id},\"prevSeqId\":-1" : "";
        return System.Text.Encoding.UTF8.GetBytes($$"""{"arg":{"channel":"books","instId":"{{symbol}}"},"action":"snapshot","data":[{"asks":[{{Levels(text.Levels(false))}}],"bids":[{{Levels(text.Levels(true))}}],"ts":"{{b.Fields["ts"]}}","checksum":{{checksum}}{{seq}}}]}""");
    }

    public byte[] Malformed() => """{"arg":{"channel":"trades","instId":"BTC-USDT"},"da"""u8.ToArray();

    public byte[] Oversize(int size) => DialectFrames.Padded("""{"arg":{"channel":"trades","instId":"BTC-USDT"},"pad":" """.TrimEnd(), size);

    public ClientAction OnClient(ReadOnlySpan<byte> message, Func<string[]> subscriptions)
    {
        if (message.SequenceEqual("ping"u8)) return new ClientAction([], [], [], ["pong"u8.ToArray()]);
        using var doc = JsonDocument.Parse(message.ToArray());
        string op = doc.RootElement.TryGetProperty("op", out var o) ? o.GetString() ?? "" : "";
        if (op is not ("subscribe" or "unsubscribe")) return ClientAction.None;
        var keys = new List<string>();
        var replies = new List<byte[]>();
        var books = new List<string>();
        foreach (var arg in doc.RootElement.GetProperty("args").EnumerateArray())
        {
            string channel = arg.GetProperty("channel").GetString()!, inst = arg.GetProperty("instId").GetString()!;
            keys.Add(Key(channel, inst));
            replies.Add(System.Text.Encoding.UTF8.GetBytes("{\"event\":\"" + op + "\",\"arg\":{\"channel\":\"" + channel + "\",\"instId\":\"" + inst + "\"}}"));
            if (op == "subscribe" && channel == "books") books.Add(inst);
        }
        return op == "subscribe" ? new ClientAction(keys, [], books, replies) : new ClientAction([], keys, [], replies);
    }

    public ISyntheticWriter SyntheticWriter(string market) => new Writer();

    /// <summary>OKX writes numbers in shortest form (no trailing zeros), which its checksum is computed over.</summary>
    private static string Shortest(string text) => text.Contains('.') ? text.TrimEnd('0').TrimEnd('.') : text;

    /// <summary>
    /// A synthetic market in OKX's words: <c>books</c> snapshot (<c>prevSeqId</c> -1) and updates chained by
    /// <c>seqId</c>/<c>prevSeqId</c>, each with the CRC-32 checksum of the top 25 levels as OKX computes it; <c>trades</c>
    /// with the taker's side. Quotes are not sent (OKX's tickers carry nothing this version checks).
    /// </summary>
    private sealed class Writer : ISyntheticWriter
    {
        private readonly Dictionary<string, OkxTextBook> _books = new(StringComparer.Ordinal);

        public IEnumerable<(string Key, string Text)> Write(SyntheticEvent e)
        {
            long ms = e.TimeNs / 1_000_000;
            switch (e)
            {
                case SyntheticBook b:
                {
                    if (!_books.TryGetValue(b.Symbol, out var book)) _books[b.Symbol] = book = new OkxTextBook();
                    if (b.Snapshot) book.Clear();
                    foreach (var l in b.Levels) book.Set(l.Bid, Shortest(SyntheticMarket.Price(l.Price)), Shortest(SyntheticMarket.Quantity(l.Quantity)));
                    int checksum = book.Checksum();
                    string Side(bool bid) => string.Join(",", b.Levels.Where(l => l.Bid == bid)
                        .Select(l => $"[\"{Shortest(SyntheticMarket.Price(l.Price))}\",\"{Shortest(SyntheticMarket.Quantity(l.Quantity))}\",\"0\",\"{(l.Quantity == 0 ? 0 : 1)}\"]"));
                    string action = b.Snapshot ? "snapshot" : "update";
                    long prev = b.Snapshot ? -1 : b.PreviousId;
                    yield return (Key("books", b.Symbol), $$"""{"arg":{"channel":"books","instId":"{{b.Symbol}}"},"action":"{{action}}","data":[{"asks":[{{Side(false)}}],"bids":[{{Side(true)}}],"ts":"{{ms}}","checksum":{{checksum}},"seqId":{{b.LastId}},"prevSeqId":{{prev}}}]}""");
                    break;
                }
                case SyntheticTrade t:
                {
                    string side = t.BuyerMaker ? "sell" : "buy";
                    yield return (Key("trades", t.Symbol), $$"""{"arg":{"channel":"trades","instId":"{{t.Symbol}}"},"data":[{"instId":"{{t.Symbol}}","tradeId":"{{t.Id}}","px":"{{Shortest(SyntheticMarket.Price(t.Price))}}","sz":"{{Shortest(SyntheticMarket.Quantity(t.Quantity))}}","side":"{{side}}","ts":"{{ms}}"}]}""");
                    break;
                }
            }
        }
    }
}
