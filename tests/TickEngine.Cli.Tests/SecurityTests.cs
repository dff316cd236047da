using TickEngine.Simulator.Dialects.Binance;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using TickEngine.Engine.Live;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// The servers (simulator, replay server) bind to loopback unless told otherwise; request lines, bodies, client
/// messages and request parameters are bounded and checked; an API key reaches the exchange and nothing else.
/// </summary>
public class SecurityTests
{
    private static async Task<SimulatorServer> StartSimulator()
    {
        var options = new SimulatorOptions { Speed = 1, WaitForSubscriber = false };
        return await SimulatorServer.StartAsync(new SimulatedExchange(new SyntheticMarketSource(["BTCUSDT"], 500), options), options);
    }

    [Fact]
    public async Task ServersBindToLoopbackUnlessToldOtherwise()
    {
        await using var server = await StartSimulator();
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(server.BaseAddress.Host)), $"bound to {server.BaseAddress}");
        Assert.Equal("127.0.0.1", new SimulatorOptions().Host);
        // The command lines say so, and refuse a host that is not an address.
        Assert.Contains("loopback", CliRunner.Run("sim", "--help").Out);
        var bad = CliRunner.Run("sim", "--synthetic", "BTCUSDT", "--host", "example.com");
        Assert.Equal(2, bad.ExitCode);
    }

    [Fact]
    public async Task RequestsAndClientMessagesAreBounded()
    {
        await using var server = await StartSimulator();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        // A request line past 16 KB, headers past 32 KB: refused before any handler runs.
        using var bigHeaders = new HttpRequestMessage(HttpMethod.Get, "/api/v3/exchangeInfo");
        bigHeaders.Headers.TryAddWithoutValidation("X-Padding", new string('p', 40 * 1024));
        var big = await http.SendAsync(bigHeaders);
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, big.StatusCode);
        var longLine = await http.GetAsync("/api/v3/depth?symbol=" + new string('A', 20 * 1024));
        Assert.True((int)longLine.StatusCode is 414 or 400 or 431, $"a 20 KB request line got {(int)longLine.StatusCode}");
        // A request parameter is a name, never a path.
        var traversal = await http.GetAsync("/api/v3/depth?symbol=..%2F..%2F..%2Fetc%2Fpasswd&limit=5");
        Assert.Equal(HttpStatusCode.BadRequest, traversal.StatusCode);
        Assert.DoesNotContain("root:", await traversal.Content.ReadAsStringAsync());
        // A client message past 16 KB closes the connection with "message too big".
        using var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri(server.WebSocketBase, "/ws/btcusdt@trade"), CancellationToken.None);
        await ws.SendAsync(Encoding.UTF8.GetBytes("{\"method\":\"SUBSCRIBE\",\"params\":[\"" + new string('a', 20 * 1024) + "\"],\"id\":1}"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 16];
        var until = DateTime.UtcNow.AddSeconds(10);
        while (ws.State == WebSocketState.Open && DateTime.UtcNow < until)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var r = await ws.ReceiveAsync(buffer, cts.Token);
            if (r.MessageType == WebSocketMessageType.Close) break;
        }
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, ws.CloseStatus);
    }

    [Fact]
    public async Task AnApiKeyReachesTheExchangeAndNothingElse()
    {
        const string key = "k3yV4lue-0123456789-SECRET";
        using var dir = new TempDir();
        File.WriteAllText(dir.File("key.txt"), key + "\n");
        await using var server = await StartSimulator();
        var r = CliRunner.Run("record", "--exchange", "binance", "--symbols", "BTCUSDT", "--types", "trades,deltas", "--duration", "3",
            "--ws-url", server.WebSocketBase.ToString(), "--rest-url", server.BaseAddress.ToString(),
            "--api-key-file", dir.File("key.txt"), "--out", dir.File("root"), "--summary-json", dir.File("summary.json"));
        Assert.True(r.ExitCode == 0, r.Error);
        // Sent with the REST snapshot requests...
        Assert.True(server.Exchange.ApiKeysSeen.TryGetValue(key, out int sent) && sent >= 1, "the key never reached the exchange");
        // ...and nowhere else: not in the output, the log or the summary, nor in the options' text.
        Assert.DoesNotContain(key, r.Out + r.Error);
        Assert.DoesNotContain(key, File.ReadAllText(dir.File("summary.json")));
        var live = LiveOptions.Default with { ApiKey = new Secret(key) };
        Assert.DoesNotContain(key, live.ToString());
        Assert.Contains("[redacted]", live.ToString());
        // A missing key file is a usage error that names the file, not a stack trace.
        var missing = CliRunner.Run("record", "--exchange", "binance", "--symbols", "BTCUSDT", "--out", dir.File("r2"), "--api-key-file", dir.File("nope.txt"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope.txt", missing.Error);
    }
}
