using System.Text.Json;
using TickEngine.Simulator.Market;
using System.Text.RegularExpressions;
using TickEngine.Simulator.Dialects;

namespace TickEngine.Simulator.Dialects.Coinbase;

/// <summary>
/// Coinbase Advanced Trade market data: one endpoint (<c>/</c>); <c>{"type":"subscribe","product_ids":[...],"channel":"level2"}</c>
/// acknowledged on the <c>subscriptions</c> channel; <c>heartbeats</c> replayed when subscribed; every message of a
/// connection renumbered with the connection's own <c>sequence_num</c> (from 0), as Coinbase numbers them; a
/// <c>level2</c> subscribed mid-stream gets a fresh <c>l2_data</c> snapshot.
/// </summary>
public sealed partial class CoinbaseProtocol : ISyntheticProtocol
{
    public string? MarketOf(string urlOrPath) =>
        urlOrPath.Contains("advanced-trade-ws", StringComparison.Ordinal) || urlOrPath is "" or "/" ? "advanced" : null;

    private static string Channel(string channel) => channel == "l2_data" ? "level2" : channel;

    public string? KeyOf(JsonElement frame)
    {
        if (!frame.TryGetProperty("channel", out var c)) return null;
        string channel = Channel(c.GetString()!);
        if (channel is "subscriptions") return null; // the dialect acknowledges itself
        if (channel == "heartbeats") return "heartbeats";
        var events = frame.GetProperty("events");
        foreach (var e in events.EnumerateArray())
        {
            if (e.TryGetProperty("product_id", out var p)) return $"{channel}:{p.GetString()}";
            foreach (var list in new[] { "trades", "tickers", "candles" })
                if (e.TryGetProperty(list, out var items))
                    foreach (var item in items.EnumerateArray())
                        if (item.TryGetProperty("product_id", out var ip)) return $"{channel}:{ip.GetString()}";
        }
        return null;
    }

    public (string Symbol, bool Delta)? ApplyBook(JsonElement frame, Func<string, ExchangeBook> books)
    {
        if (!frame.TryGetProperty("channel", out var c) || c.GetString() != "l2_data") return null;
        string? symbol = null;
        bool delta = true;
        foreach (var e in frame.GetProperty("events").EnumerateArray())
        {
            symbol = e.GetProperty("product_id").GetString()!;
            var book = books(symbol);
            if (e.GetProperty("type").GetString() == "snapshot") { book.Clear(); delta = false; }
            foreach (var u in e.GetProperty("updates").EnumerateArray())
            {
                book.Set(u.GetProperty("side").GetString() == "bid", u.GetProperty("price_level").GetString()!, u.GetProperty("new_quantity").GetString()!);
                book.Texts["event_time"] = u.GetProperty("event_time").GetString()!;
            }
            book.Texts["timestamp"] = frame.GetProperty("timestamp").GetString()!;
        }
        return symbol is null ? null : (symbol, delta);
    }

    public byte[]? Snapshot(string symbol, ExchangeBook b)
    {
        string time = b.Texts.GetValueOrDefault("event_time", b.Texts.GetValueOrDefault("timestamp", Now()));
        string Levels(string side, IEnumerable<(string P, string S)> l) =>
            string.Join(",", l.Select(x => $$"""{"side":"{{side}}","event_time":"{{time}}","price_level":"{{x.P}}","new_quantity":"{{x.S}}"}"""));
        string all = string.Join(",", new[] { Levels("bid", b.Levels(true)), Levels("offer", b.Levels(false)) }.Where(x => x.Length > 0));
        return System.Text.Encoding.UTF8.GetBytes($$"""{"channel":"l2_data","client_id":"","timestamp":"{{b.Texts.GetValueOrDefault("timestamp", time)}}","sequence_num":0,"events":[{"type":"snapshot","product_id":"{{symbol}}","updates":[{{all}}]}]}""");
    }

    public byte[] Malformed() => """{"channel":"market_trades","client_id":"","timest"""u8.ToArray();

    public byte[] Oversize(int size) => DialectFrames.Padded("""{"channel":"market_trades","pad":" """.TrimEnd(), size);

    public ClientAction OnClient(ReadOnlySpan<byte> message, Func<string[]> subscriptions)
    {
        using var doc = JsonDocument.Parse(message.ToArray());
        string type = doc.RootElement.TryGetProperty("type", out var t) ? t.GetString() ?? "" : "";
        if (type is not ("subscribe" or "unsubscribe")) return ClientAction.None;
        string channel = doc.RootElement.GetProperty("channel").GetString()!;
        var products = doc.RootElement.TryGetProperty("product_ids", out var p) ? p.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
        var keys = channel == "heartbeats" ? ["heartbeats"] : products.Select(x => $"{channel}:{x}").ToList();
        string list = string.Join(",", products.Select(x => $"\"{x}\""));
        string ack = "{\"channel\":\"subscriptions\",\"client_id\":\"\",\"timestamp\":\"" + Now() + "\",\"sequence_num\":0,\"events\":[{\"subscriptions\":{\"" + channel + "\":[" + list + "]}}]}";
        var books = type == "subscribe" && channel == "level2" ? products : [];
        byte[] reply = System.Text.Encoding.UTF8.GetBytes(ack);
        return type == "subscribe" ? new ClientAction(keys, [], books, [reply]) : new ClientAction([], keys, [], [reply]);
    }

    /// <summary>The wall clock as Coinbase writes times (acknowledgements are stamped when sent).</summary>
    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("\"sequence_num\":\\d+")]
    private static partial Regex SequenceNum();

    public bool Renumbers => true;

    public byte[] Outgoing(byte[] frame, ref long counter)
    {
        long n = counter++;
        return System.Text.Encoding.UTF8.GetBytes(SequenceNum().Replace(System.Text.Encoding.UTF8.GetString(frame), $"\"sequence_num\":{n}", 1));
    }

    public ISyntheticWriter SyntheticWriter(string market) => new Writer();

    private static string Iso(long ns) =>
        DateTime.UnixEpoch.AddTicks(ns / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A synthetic market in Coinbase's words: <c>l2_data</c> snapshot and updates with absolute
    /// <c>new_quantity</c> (sides <c>bid</c> and <c>offer</c>), <c>market_trades</c> with the maker's side (as Coinbase
    /// writes it), every message numbered by the connection's <c>sequence_num</c> as it leaves.
    /// </summary>
    private sealed class Writer : ISyntheticWriter
    {
        public IEnumerable<(string Key, string Text)> Write(SyntheticEvent e)
        {
            string time = Iso(e.TimeNs);
            switch (e)
            {
                case SyntheticBook b:
                {
                    string updates = string.Join(",", b.Levels.Select(l =>
                        $$"""{"side":"{{(l.Bid ? "bid" : "offer")}}","event_time":"{{time}}","price_level":"{{SyntheticMarket.Price(l.Price)}}","new_quantity":"{{SyntheticMarket.Quantity(l.Quantity)}}"}"""));
                    string type = b.Snapshot ? "snapshot" : "update";
                    yield return ("level2:" + b.Symbol, $$"""{"channel":"l2_data","client_id":"","timestamp":"{{time}}","sequence_num":0,"events":[{"type":"{{type}}","product_id":"{{b.Symbol}}","updates":[{{updates}}]}]}""");
                    break;
                }
                case SyntheticTrade t:
                {
                    string maker = t.BuyerMaker ? "BUY" : "SELL";
                    yield return ("market_trades:" + t.Symbol, $$"""{"channel":"market_trades","client_id":"","timestamp":"{{time}}","sequence_num":0,"events":[{"type":"update","trades":[{"trade_id":"{{t.Id}}","product_id":"{{t.Symbol}}","price":"{{SyntheticMarket.Price(t.Price)}}","size":"{{SyntheticMarket.Quantity(t.Quantity)}}","side":"{{maker}}","time":"{{time}}"}]}]}""");
                    break;
                }
            }
        }
    }
}
