using System.Text.Json;

namespace TickEngine.Simulator.Dialects;

/// <summary>
/// Bybit v5 public streams: <c>/v5/public/spot|linear|inverse</c>; <c>{"op":"subscribe","args":["orderbook.50.S",...]}</c>
/// acknowledged with <c>{"success":true,...,"op":"subscribe"}</c>; <c>{"op":"ping"}</c> answered with a pong; a book of any
/// depth subscribed gets the capture's book frames and, mid-stream, a fresh snapshot (<c>u</c>, <c>seq</c>, <c>ts</c>, <c>cts</c>).
/// </summary>
public sealed class BybitProtocol : IDialectProtocol
{
    public static Task<CaptureDialect> StartAsync(string capture, double speed = 1, string host = "127.0.0.1", int port = 0, int dropDelta = -1, int stallAt = -1) =>
        CaptureDialect.StartAsync(new BybitProtocol(), capture, speed, host, port, dropDelta, stallAt);

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

    public (string Symbol, bool Delta)? ApplyBook(JsonElement frame, Func<string, DialectBook> books)
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

    public string Snapshot(string symbol, DialectBook b)
    {
        static string Levels(IEnumerable<(string P, string S)> l) => string.Join(",", l.Select(x => $"[\"{x.P}\",\"{x.S}\"]"));
        return $$"""{"topic":"orderbook.200.{{symbol}}","type":"snapshot","ts":{{b.Fields["ts"]}},"data":{"s":"{{symbol}}","b":[{{Levels(b.Bids.Values)}}],"a":[{{Levels(b.Asks.Values)}}],"u":{{b.Fields["u"]}},"seq":{{b.Fields["seq"]}}},"cts":{{b.Fields["cts"]}}}""";
    }

    public (IReadOnlyList<string>, IReadOnlyList<string>, IReadOnlyList<string>, IReadOnlyList<string>) OnClient(string text)
    {
        using var doc = JsonDocument.Parse(text);
        string op = doc.RootElement.TryGetProperty("op", out var o) ? o.GetString() ?? "" : "";
        var args = doc.RootElement.TryGetProperty("args", out var a) ? a.EnumerateArray().Select(x => x.GetString()!).ToList() : [];
        if (op == "ping") return ([], [], [], ["""{"success":true,"ret_msg":"pong","conn_id":"sim","op":"ping"}"""]);
        if (op is not ("subscribe" or "unsubscribe")) return ([], [], [], []);
        var keys = args.Select(Key).ToList();
        string ack = $$"""{"success":true,"ret_msg":"","conn_id":"sim","req_id":"","op":"{{op}}"}""";
        var books = op == "subscribe" ? keys.Where(k => k.StartsWith("orderbook:", StringComparison.Ordinal)).Select(k => k["orderbook:".Length..]).ToList() : [];
        return op == "subscribe" ? (keys, [], books, [ack]) : ([], keys, [], [ack]);
    }
}
