using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// <c>service</c> as a real process on loopback: its candles (warmed from the stored bars of the real spot capture)
/// equal candles computed from the stored trades apart from it, every 5m candle is its five 1m candles, and requests
/// it cannot serve are refused by name.
/// </summary>
public class ServiceTests
{
    private static int FreePort() => LoopbackPorts.Free();

    private static decimal D(JsonNode? n) => decimal.Parse((string)n!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task CandlesEqualTheStoredTradesAndAgreeAcrossTimeframes()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        var rec = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        var csv = CliRunner.Run("export", "csv", "--data", root, "--schema", "trades", "--symbol", "BTCUSDT");
        string text = csv.Out.Length > 0 ? csv.Out : System.Text.Encoding.UTF8.GetString(csv.StdoutBytes);
        var trades = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(l => l.Split(','))
            .Select(f => (Ms: long.Parse(f[0], CultureInfo.InvariantCulture), Price: decimal.Parse(f[2], CultureInfo.InvariantCulture), Qty: decimal.Parse(f[3], CultureInfo.InvariantCulture))).ToList();
        int port = FreePort();
        using var svc = ChildProcess.Start("service", "--exchange", "sim", "--symbol", "BTCUSDT", "--data", root, "--port", port.ToString(CultureInfo.InvariantCulture), "--duration", "60");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        JsonNode? health = null;
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            try { health = JsonNode.Parse(await http.GetStringAsync("/health")); if ((bool)health!["ready"]!) break; }
            catch (HttpRequestException) { }
            Assert.False(svc.Exited, svc.Error);
            await Task.Delay(100);
        }
        Assert.True((bool)health!["ready"]!, "the service's feed connected");
        async Task<List<JsonObject>> Candles(string tf)
        {
            var doc = JsonNode.Parse(await http.GetStringAsync($"/api/v1/binance/BTCUSDT/candles/{tf}?limit=100"))!;
            // The capture's candles (2024); the simulator's own, recorded now, come after them.
            return doc["candles"]!.AsArray().Select(c => c!.AsObject()).Where(c => (long)c["open_time_ns"]! < 1_735_689_600_000_000_000).ToList();
        }
        var m1 = await Candles("1m");
        var byMinute = trades.GroupBy(t => t.Ms / 60_000).OrderBy(g => g.Key).ToList();
        Assert.Equal(byMinute.Count, m1.Count);
        for (int i = 0; i < m1.Count; i++)
        {
            var g = byMinute[i];
            var c = m1[i];
            Assert.Equal(g.Key * 60_000_000_000, (long)c["open_time_ns"]!);
            Assert.Equal(g.First().Price, D(c["open"]));
            Assert.Equal(g.Max(t => t.Price), D(c["high"]));
            Assert.Equal(g.Min(t => t.Price), D(c["low"]));
            Assert.Equal(g.Last().Price, D(c["close"]));
            Assert.Equal(g.Sum(t => t.Qty), D(c["volume"]));
            Assert.Equal(g.Count(), (long)c["trades"]!);
        }
        foreach (var (tf, minutes) in new[] { ("5m", 5L), ("15m", 15L), ("1h", 60L), ("4h", 240L), ("1d", 1440L) })
        {
            foreach (var c in await Candles(tf))
            {
                long open = (long)c["open_time_ns"]!, end = open + minutes * 60_000_000_000;
                var parts = m1.Where(x => (long)x["open_time_ns"]! >= open && (long)x["open_time_ns"]! < end).ToList();
                Assert.NotEmpty(parts);
                Assert.Equal(D(parts[0]["open"]), D(c["open"]));
                Assert.Equal(parts.Max(x => D(x["high"])), D(c["high"]));
                Assert.Equal(parts.Min(x => D(x["low"])), D(c["low"]));
                Assert.Equal(D(parts[^1]["close"]), D(c["close"]));
                Assert.Equal(parts.Sum(x => D(x["volume"])), D(c["volume"]));
                Assert.Equal(parts.Sum(x => (long)x["trades"]!), (long)c["trades"]!);
            }
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/binance/BTCUSDT/candles/2m")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/binance/..%2F..%2Fetc/candles/1m")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/binance/BTCUSDT/candles/1m?limit=0")).StatusCode);
        var latest = JsonNode.Parse(await http.GetStringAsync("/api/v1/binance/BTCUSDT/latest?depth=5"))!;
        Assert.True((bool)latest["book"]!["in_sync"]!);
        Assert.Equal(5, latest["book"]!["bids"]!.AsArray().Count);
        Assert.True(D(latest["book"]!["bids"]![0]![0]) < D(latest["book"]!["asks"]![0]![0]), "the book is not crossed");
        Assert.NotEmpty(latest["trades"]!.AsArray());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/binance/NOPEUSDT/latest")).StatusCode);
        // History: the capture's trades as CSV, byte for byte what export writes of the same range.
        var history = await http.GetByteArrayAsync("/api/v1/binance/BTCUSDT/trades/history?format=csv&end=2025-01-01T00:00:00Z");
        var exported = CliRunner.Run("export", "csv", "--data", root, "--schema", "trades", "--symbol", "BTCUSDT", "--exchange", "binance", "--full", "--end", "2025-01-01T00:00:00Z");
        Assert.True(exported.ExitCode == 0, exported.Error);
        Assert.Equal(exported.StdoutBytes, history);
        var lines = (await http.GetStringAsync("/api/v1/binance/BTCUSDT/trades/history?end=2025-01-01T00:00:00Z&limit=100")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(100, lines.Length);
        Assert.Equal(trades[99].Price, D(JsonNode.Parse(lines[99])!["price"]));
        // Pages of 1,000 rows, each naming the next: together, the whole range once.
        var whole = (await http.GetStringAsync("/api/v1/binance/BTCUSDT/trades/history?end=2025-01-01T00:00:00Z")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var paged = new List<string>();
        string? cursor = null;
        int pages = 0;
        do
        {
            var page = await http.GetAsync("/api/v1/binance/BTCUSDT/trades/history?end=2025-01-01T00:00:00Z&limit=1000" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var part = (await page.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            cursor = page.Headers.TryGetValues("X-Next-Cursor", out var v) ? v.Single() : null;
            Assert.True(cursor is null ? part.Length <= 1000 : part.Length == 1000);
            paged.AddRange(part);
            pages++;
        } while (cursor is not null && pages < 100);
        Assert.Equal(whole, paged);
        Assert.Equal((trades.Count + 999) / 1000, pages);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/binance/BTCUSDT/trades/history?cursor=../x")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/api/v1/binance/BTCUSDT/trades/history?format=xml")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/v1/binance/NOPE/trades/history")).StatusCode);
        var metrics = await http.GetStringAsync("/metrics");
        Assert.Contains("tickengine_frames ", metrics);
        Assert.Contains("tickengine_committed_rows{schema=\"trades\"}", metrics);
        var status = JsonNode.Parse(await http.GetStringAsync("/api/v1/status"))!;
        Assert.Equal("Connected", (string)status["connections"]![0]!["state"]!);
        Assert.True((long)status["candles"]!["warmed_bars"]! > 0);
        var took = svc.Terminate(TimeSpan.FromSeconds(10));
        Assert.True(took is not null && took.Value <= TimeSpan.FromSeconds(1), $"stopped {took}");
        Assert.Equal(0, svc.ExitCode);
    }

    [Fact]
    public async Task AClientOverItsRateIsRefusedAndServedAgainAfterIt()
    {
        using var dir = new TempDir();
        int port = FreePort();
        using var svc = ChildProcess.Start("service", "--exchange", "sim", "--data", dir.File("root"), "--port", port.ToString(CultureInfo.InvariantCulture), "--rate-limit", "5", "--duration", "60");
        Assert.True(svc.WaitForLine(x => x.StartsWith("service: http", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), svc.Error);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        await Task.Delay(1_100); // a full bucket
        var codes = new List<HttpStatusCode>();
        for (int i = 0; i < 12; i++) codes.Add((await http.GetAsync("/health")).StatusCode);
        Assert.Equal(5, codes.Count(c => c == HttpStatusCode.OK));
        Assert.Equal(7, codes.Count(c => c == HttpStatusCode.TooManyRequests));
        await Task.Delay(1_100);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health")).StatusCode);
        svc.Terminate(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task SettingsComeFromAConfigFileAndItsMistakesAreNamed()
    {
        using var dir = new TempDir();
        int port = FreePort();
        File.WriteAllText(dir.File("svc.json"), $$"""{"exchange":"sim","symbols":["ETHUSDT"],"data":"{{dir.File("root")}}","port":{{port}},"candles":7,"sinks":["sqlite:{{dir.File("t.db")}}"]}""");
        using (var svc = ChildProcess.Start("service", "--config", dir.File("svc.json"), "--duration", "30"))
        {
            Assert.True(svc.WaitForLine(x => x.StartsWith("service: http", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), svc.Error);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var sw = System.Diagnostics.Stopwatch.StartNew();
            JsonNode? latest = null;
            while (sw.Elapsed < TimeSpan.FromSeconds(20))
            {
                var r = await http.GetAsync("/api/v1/binance/ETHUSDT/latest");
                if (r.IsSuccessStatusCode && (latest = JsonNode.Parse(await r.Content.ReadAsStringAsync()))!["trades"]!.AsArray().Count > 0) break;
                await Task.Delay(200);
            }
            Assert.NotEmpty(latest!["trades"]!.AsArray());
            var status = JsonNode.Parse(await http.GetStringAsync("/api/v1/status"))!;
            Assert.Contains(status["sinks"]!.AsArray(), x => ((string)x!["target"]!).StartsWith("sqlite:", StringComparison.Ordinal));
            svc.Terminate(TimeSpan.FromSeconds(10));
        }
        File.WriteAllText(dir.File("bad.json"), """{"exchange":"sim","data":"x","prot":8080}""");
        var bad = CliRunner.Run("service", "--config", dir.File("bad.json"), "--duration", "1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("unknown setting 'prot'", bad.Error);
        File.WriteAllText(dir.File("bad2.json"), """{"exchange":"sim","data":"x","port":"eighty"}""");
        bad = CliRunner.Run("service", "--config", dir.File("bad2.json"), "--duration", "1");
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("port must be a whole number", bad.Error);
    }

    /// <summary>Checks a JSON value against an OpenAPI 3.1 schema: types, required properties, no undocumented property, items, references.</summary>
    private static void Conforms(JsonNode? value, JsonObject schema, JsonObject components, string at)
    {
        if (schema["$ref"] is { } r)
        {
            string name = ((string)r!).Split('/')[^1];
            Conforms(value, components[name]!.AsObject(), components, at);
            return;
        }
        foreach (var key in new[] { "oneOf", "anyOf" })
            if (schema[key] is JsonArray alternatives)
            {
                var errors = new List<string>();
                foreach (var alt in alternatives)
                {
                    try { Conforms(value, alt!.AsObject(), components, at); return; }
                    catch (Xunit.Sdk.XunitException e) { errors.Add(e.Message); }
                }
                Assert.Fail($"{at}: matches none of {key}: {string.Join(" | ", errors)}");
            }
        string kind = value switch
        {
            null => "null",
            JsonObject => "object",
            JsonArray => "array",
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => "string",
            JsonValue v when v.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False => "boolean",
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.Number => v.ToJsonString().Contains('.') ? "number" : "integer",
            _ => "?",
        };
        if (schema["type"] is { } t)
        {
            var allowed = t is JsonArray a ? a.Select(x => (string)x!).ToList() : [(string)t!];
            Assert.True(allowed.Contains(kind) || (kind == "integer" && allowed.Contains("number")), $"{at}: {kind} where the document says {string.Join("|", allowed)}");
        }
        if (value is JsonObject o)
        {
            var props = schema["properties"] as JsonObject;
            foreach (var req in schema["required"]?.AsArray() ?? []) Assert.True(o.ContainsKey((string)req!), $"{at}: required '{req}' missing");
            foreach (var (k, v) in o)
            {
                if (props?[k] is JsonObject ps) Conforms(v, ps, components, $"{at}.{k}");
                else if (schema["additionalProperties"] is JsonObject extra) Conforms(v, extra, components, $"{at}.{k}");
                else Assert.Fail($"{at}: '{k}' is sent but not in the document");
            }
        }
        if (value is JsonArray arr && schema["items"] is JsonObject items)
            for (int i = 0; i < arr.Count; i++) Conforms(arr[i], items, components, $"{at}[{i}]");
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheRealResponses()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        Assert.Equal(0, CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet").ExitCode);
        int port = FreePort();
        using var svc = ChildProcess.Start("service", "--exchange", "sim", "--symbol", "BTCUSDT", "--data", root, "--port", port.ToString(CultureInfo.InvariantCulture), "--duration", "60");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            try { if ((bool)JsonNode.Parse(await http.GetStringAsync("/health"))!["ready"]!) break; } catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        await Task.Delay(1_500); // trades in the latest state
        var doc = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var components = doc["components"]!["schemas"]!.AsObject();
        var cases = new (string Path, string Url, int Status)[]
        {
            ("/health", "/health", 200),
            ("/api/v1/status", "/api/v1/status", 200),
            ("/api/v1/{exchange}/{symbol}/candles/{timeframe}", "/api/v1/binance/BTCUSDT/candles/1m", 200),
            ("/api/v1/{exchange}/{symbol}/candles/{timeframe}", "/api/v1/binance/BTCUSDT/candles/2m", 400),
            ("/api/v1/{exchange}/{symbol}/candles/{timeframe}", "/api/v1/binance/NOPE/candles/1m", 404),
            ("/api/v1/{exchange}/{symbol}/latest", "/api/v1/binance/BTCUSDT/latest?depth=3", 200),
            ("/api/v1/{exchange}/{symbol}/latest", "/api/v1/binance/BTCUSDT/latest?depth=0", 400),
            ("/api/v1/{exchange}/{symbol}/latest", "/api/v1/binance/NOPE/latest", 404),
        };
        foreach (var (path, url, status) in cases)
        {
            var response = await http.GetAsync(url);
            Assert.Equal(status, (int)response.StatusCode);
            var schema = doc["paths"]![path]!["get"]!["responses"]![status.ToString(CultureInfo.InvariantCulture)]!["content"]!["application/json"]!["schema"]!.AsObject();
            Conforms(JsonNode.Parse(await response.Content.ReadAsStringAsync()), schema, components, url);
        }
        svc.Terminate(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void AnotherAddressThanLoopbackNeedsAKey()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run("service", "--exchange", "sim", "--data", dir.File("root"), "--host", "0.0.0.0", "--port", "0", "--duration", "1");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("TICKENGINE_SERVICE_KEY", r.Error);
    }
}

/// <summary>The service's streams as a client sees them: every committed row once, in order, numbered without a gap, history joined to live exactly; a stalled subscriber dropped.</summary>
public class ServiceStreamTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static int FreePort() => LoopbackPorts.Free();

    private static async Task<HttpClient> Ready(ChildProcess svc, int port)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(30))
        {
            try { if ((bool)JsonNode.Parse(await http.GetStringAsync("/health"))!["ready"]!) return http; }
            catch (HttpRequestException) { }
            Assert.False(svc.Exited, svc.Error);
            await Task.Delay(100);
        }
        throw new TimeoutException("the service did not become ready");
    }

    [Fact]
    public async Task ASubscriberGetsEveryTradeOnceInOrderWithHistoryJoinedExactly()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        var rec = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        int port = FreePort();
        using var svc = ChildProcess.Start("service", "--exchange", "sim", "--symbol", "BTCUSDT", "--data", root, "--port", port.ToString(CultureInfo.InvariantCulture), "--rate", "3000", "--duration", "60");
        using var http = await Ready(svc, port);
        await Task.Delay(1_500); // live rows flowing before the subscription: its history must reach up to them
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/api/v1/binance/BTCUSDT/trades/stream?from=2024-08-01T00:00:00Z"), CancellationToken.None);
        var got = new List<JsonObject>();
        var buffer = new byte[1 << 16];
        var collect = Task.Run(async () =>
        {
            using var message = new MemoryStream();
            while (ws.State == System.Net.WebSockets.WebSocketState.Open)
            {
                System.Net.WebSockets.WebSocketReceiveResult r;
                try { r = await ws.ReceiveAsync(buffer, CancellationToken.None); }
                catch (System.Net.WebSockets.WebSocketException) { break; }
                if (r.MessageType == System.Net.WebSockets.WebSocketMessageType.Close) break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                got.Add(JsonNode.Parse(message.ToArray())!.AsObject());
                message.SetLength(0);
            }
        });
        await Task.Delay(4_000);
        var took = svc.Terminate(TimeSpan.FromSeconds(10));
        Assert.True(took is not null, "the service stopped");
        await collect.WaitAsync(TimeSpan.FromSeconds(10));
        // The stored trades after the stop: what the client got is a run of them from the first, none missed, none twice.
        var stored = StoredSegment.All(root).Where(s => s.Schema.Kind == Storage.Format.SchemaKind.Trades && s.Exchange == "binance")
            .SelectMany(s => s.Rows).Select(r => (Time: r[Storage.Format.SegmentSchema.ExchangeTime], Id: r[Storage.Format.TradeColumns.TradeId])).ToList();
        var history = got.TakeWhile(m => m["history"] is not null).ToList();
        var live = got.Skip(history.Count).ToList();
        output.WriteLine($"{history.Count:N0} history messages, {live.Count:N0} live; {stored.Count:N0} stored trades");
        Assert.True(history.Count > 9_000, "the capture's trades came as history");
        Assert.True(live.Count > 100, "live trades came");
        Assert.All(live, m => Assert.Null(m["history"]));
        for (int i = 1; i < live.Count; i++) Assert.Equal((long)live[i - 1]["seq"]! + 1, (long)live[i]["seq"]!); // no gap
        for (int i = 0; i < got.Count; i++)
        {
            var d = got[i]["data"]!;
            Assert.Equal(stored[i].Time, (long)d["exchange_time_ns"]!);
            Assert.Equal(stored[i].Id, (long)d["trade_id"]!);
        }
    }

    [Fact]
    public async Task ABookSubscriberGetsASnapshotThenEveryChangeAndEndsWithTheStoredBook()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        int port = FreePort();
        using var svc = ChildProcess.Start("service", "--exchange", "sim", "--symbol", "BTCUSDT", "--data", root, "--port", port.ToString(CultureInfo.InvariantCulture), "--rate", "2000", "--duration", "60");
        using var http = await Ready(svc, port);
        await Task.Delay(2_000); // the book has changed many times before the subscription
        using var ws = new System.Net.WebSockets.ClientWebSocket();
        await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/api/v1/binance/BTCUSDT/deltas/stream"), CancellationToken.None);
        var bids = new SortedDictionary<decimal, decimal>();
        var asks = new SortedDictionary<decimal, decimal>();
        long snapshotSeq = -1, lastSeq = -1;
        var buffer = new byte[1 << 20];
        using var message = new MemoryStream();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(3))
        {
            var r = await ws.ReceiveAsync(buffer, CancellationToken.None);
            message.Write(buffer, 0, r.Count);
            if (!r.EndOfMessage) continue;
            var m = JsonNode.Parse(message.ToArray())!;
            message.SetLength(0);
            long seq = (long)m["seq"]!;
            if (m["snapshot"] is not null)
            {
                Assert.Equal(-1, snapshotSeq); // one snapshot, first
                snapshotSeq = lastSeq = seq;
                foreach (var l in m["data"]!["bids"]!.AsArray()) bids[D(l![0])] = D(l[1]);
                foreach (var l in m["data"]!["asks"]!.AsArray()) asks[D(l![0])] = D(l[1]);
                continue;
            }
            Assert.True(snapshotSeq >= 0, "the snapshot came first");
            Assert.Equal(lastSeq + 1, seq);
            lastSeq = seq;
            var d = m["data"]!;
            var side = (string)d["side"]! == "bid" ? bids : asks;
            if (((long)d["flags"]! & ((long)Storage.Format.RowFlags.SnapshotBegins | (long)Storage.Format.RowFlags.BookReset)) != 0) { bids.Clear(); asks.Clear(); }
            if (D(d["quantity"]) == 0) side.Remove(D(d["price"])); else side[D(d["price"])] = D(d["quantity"]);
        }
        Assert.True(snapshotSeq > 0 && lastSeq > snapshotSeq + 100, $"snapshot at {snapshotSeq}, changes to {lastSeq}");
        svc.Terminate(TimeSpan.FromSeconds(10));
        // The first lastSeq stored level changes of this run make the same book.
        var sb = new SortedDictionary<decimal, decimal>();
        var sa = new SortedDictionary<decimal, decimal>();
        var seg = StoredSegment.All(root).Where(x => x.Schema.Kind == Storage.Format.SchemaKind.Deltas).ToList();
        int ps = seg[0].Schema.Columns[Storage.Format.DeltaColumns.Price].Scale, qs = seg[0].Schema.Columns[Storage.Format.DeltaColumns.Quantity].Scale;
        foreach (var row in seg.SelectMany(x => x.Rows).Take((int)lastSeq))
        {
            if ((row[Storage.Format.DeltaColumns.Flags] & ((long)Storage.Format.RowFlags.SnapshotBegins | (long)Storage.Format.RowFlags.BookReset)) != 0) { sb.Clear(); sa.Clear(); }
            var side = row[Storage.Format.DeltaColumns.Side] == (long)Storage.Format.BookSide.Bid ? sb : sa;
            decimal p = decimal.Parse(Storage.Numerics.FixedDecimal.ToString(row[Storage.Format.DeltaColumns.Price], ps), CultureInfo.InvariantCulture);
            decimal q = decimal.Parse(Storage.Numerics.FixedDecimal.ToString(row[Storage.Format.DeltaColumns.Quantity], qs), CultureInfo.InvariantCulture);
            if (q == 0) side.Remove(p); else side[p] = q;
        }
        Assert.Equal(sb, bids);
        Assert.Equal(sa, asks);
    }

    private static decimal D(JsonNode? n) => decimal.Parse((string)n!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task AStalledSubscriberIsDroppedAndTheCaptureGoesOn()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        int port = FreePort();
        using var svc = ChildProcess.Start("service", "--exchange", "sim", "--symbol", "BTCUSDT", "--data", root, "--port", port.ToString(CultureInfo.InvariantCulture), "--rate", "5000",
            "--queue", "50", "--duration", "60");
        using var http = await Ready(svc, port);
        // A client that reads its response's head and then nothing: the server's socket fills, then its queue.
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET /api/v1/binance/BTCUSDT/deltas/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"));
        client.ReceiveBufferSize = 1024;
        long committedBefore = 0;
        JsonNode? status = null;
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (sw.Elapsed < TimeSpan.FromSeconds(40))
        {
            status = JsonNode.Parse(await http.GetStringAsync("/api/v1/status"))!;
            if (committedBefore == 0) committedBefore = (long)status["committed"]!["deltas"]!;
            if ((long)status["streams"]!["dropped"]! > 0) break;
            await Task.Delay(200);
        }
        Assert.Equal(1, (long)status!["streams"]!["dropped"]!);
        await Task.Delay(1_500);
        var after = JsonNode.Parse(await http.GetStringAsync("/api/v1/status"))!;
        Assert.True((long)after["committed"]!["deltas"]! > (long)status["committed"]!["deltas"]!, "the capture went on");
        output.WriteLine($"dropped after {sw.Elapsed.TotalSeconds:F1} s; {(long)after["committed"]!["deltas"]!:N0} deltas committed");
        svc.Terminate(TimeSpan.FromSeconds(10));
    }
}

/// <summary>History as Apache Arrow, read back by the apache-arrow npm package (a reader that is not ours): exact counts and sums.</summary>
public class ArrowHistoryTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static (int Code, string Out, string Err) Run(string file, string dir, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file, args) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        System.Diagnostics.Process p;
        try { p = System.Diagnostics.Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"{file} is needed to read Arrow with a reader that is not ours (node and npm: apt-get install nodejs npm)", e); }
        using (p)
        {
            var err = p.StandardError.ReadToEndAsync();
            string o = p.StandardOutput.ReadToEnd();
            Assert.True(p.WaitForExit(180_000), $"{file} did not finish");
            return (p.ExitCode, o, err.Result);
        }
    }

    [Fact]
    public async Task AWholeRecordedDayAsArrowReadsBackExactlyInApacheArrow()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        var rec = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        // apache-arrow from npm, pinned, in a folder of the test's own.
        string js = dir.File("js");
        Directory.CreateDirectory(js);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Node", "read-arrow.mjs"), Path.Combine(js, "read-arrow.mjs"));
        var npm = await Task.Run(() => Run("npm", js, "install", "apache-arrow@21.2.0", "--no-audit", "--no-fund", "--silent"));
        Assert.True(npm.Code == 0, "npm install apache-arrow: " + npm.Err);
        int port = LoopbackPorts.Free();
        using var svc = ChildProcess.Start("service", "--exchange", "sim", "--symbol", "BTCUSDT", "--data", root, "--port", port.ToString(CultureInfo.InvariantCulture), "--duration", "60");
        Assert.True(svc.WaitForLine(x => x.StartsWith("service: http", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), svc.Error);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        // The capture's whole day (2024-08-08: the rows up to its midnight), as Arrow.
        foreach (var (schema, day) in new[] { ("trades", "2024-08-08"), ("deltas", "2024-08-08") })
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var bytes = await http.GetByteArrayAsync($"http://127.0.0.1:{port}/api/v1/binance/BTCUSDT/{schema}/history?format=arrow&start={day}T00:00:00Z&end=2024-08-09T00:00:00Z");
            double seconds = sw.Elapsed.TotalSeconds;
            File.WriteAllBytes(Path.Combine(js, schema + ".arrows"), bytes);
            var read = await Task.Run(() => Run("node", js, "read-arrow.mjs", schema + ".arrows"));
            Assert.True(read.Code == 0, read.Err);
            var got = JsonNode.Parse(read.Out)!;
            var rows = StoredSegment.All(root).Where(s => s.Schema.Kind == (schema == "trades" ? Storage.Format.SchemaKind.Trades : Storage.Format.SchemaKind.Deltas))
                .SelectMany(s => s.Rows).Where(r => r[0] < 1_723_161_600_000_000_000).ToList();
            int pc = schema == "trades" ? Storage.Format.TradeColumns.Price : Storage.Format.DeltaColumns.Price;
            int qc = schema == "trades" ? Storage.Format.TradeColumns.Quantity : Storage.Format.DeltaColumns.Quantity;
            Assert.Equal(rows.Count, (int)got["rows"]!);
            Assert.Equal(rows.Aggregate(System.Numerics.BigInteger.Zero, (a, r) => a + r[pc]).ToString(), (string)got["price_sum"]!);
            Assert.Equal(rows.Aggregate(System.Numerics.BigInteger.Zero, (a, r) => a + r[qc]).ToString(), (string)got["quantity_sum"]!);
            output.WriteLine($"{schema}: {rows.Count:N0} rows, {bytes.Length:N0} bytes as Arrow in {seconds * 1000:F0} ms ({rows.Count / seconds:N0} rows/s), read back exactly by apache-arrow 21.2.0");
        }
        svc.Terminate(TimeSpan.FromSeconds(10));
    }
}

/// <summary>The dashboard in headless Chromium: it loads with no script error, subscribes, and shows trades the simulator just sent (each one then found in the segments).</summary>
public class DashboardTests
{
    [Fact]
    public async Task TheDashboardShowsTradesTheSimulatorJustSent()
    {
        using var dir = new TempDir();
        string root = dir.File("root");
        int port = LoopbackPorts.Free();
        using var svc = ChildProcess.Start("service", "--exchange", "sim", "--symbol", "BTCUSDT", "--data", root, "--port", port.ToString(CultureInfo.InvariantCulture), "--duration", "10");
        Assert.True(svc.WaitForLine(x => x.StartsWith("service: http", StringComparison.Ordinal), TimeSpan.FromSeconds(30)), svc.Error);
        // Chromium's virtual time ends once the network is idle: when the service stops and its stream closes.
        var psi = new System.Diagnostics.ProcessStartInfo("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=30000", "--dump-dom", $"http://127.0.0.1:{port}/"])
        { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string dom = await p.StandardOutput.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "chromium did not finish");
        await err;
        Assert.True(svc.WaitForExit(TimeSpan.FromSeconds(30)));
        var tag = System.Text.RegularExpressions.Regex.Match(dom, "<html[^>]*>").Value;
        Assert.DoesNotContain("data-script-errors", tag);
        var shown = System.Text.RegularExpressions.Regex.Matches(dom, "data-trade-id=\"([0-9]+)\"").Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.NotEmpty(shown);
        Assert.Contains("data-trades=", tag);
        var stored = StoredSegment.All(root).Where(s => s.Schema.Kind == Storage.Format.SchemaKind.Trades).SelectMany(s => s.Rows).Select(r => r[Storage.Format.TradeColumns.TradeId]).ToHashSet();
        Assert.All(shown, id => Assert.Contains(id, stored));
    }
}
