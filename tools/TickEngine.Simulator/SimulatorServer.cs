using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using TickEngine.Simulator.Faults;

namespace TickEngine.Simulator;

/// <summary>
/// Kestrel on loopback speaking Binance's market-data protocol for a <see cref="SimulatedExchange"/>:
/// WebSocket <c>/ws/&lt;stream&gt;</c>, <c>/stream?streams=a/b</c> (also under the futures routes <c>/public</c> and
/// <c>/market</c>), live SUBSCRIBE; REST <c>/api/v3/depth</c>, <c>/fapi/v1/depth</c>, <c>/api/v3/exchangeInfo</c>,
/// <c>/fapi/v1/exchangeInfo</c>; and <c>POST /_sim/faults/{kind}?value=N</c> to inject faults.
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stop = new();
    private Task? _market;

    private SimulatorServer(WebApplication app, SimulatedExchange exchange)
    {
        _app = app;
        Exchange = exchange;
    }

    public SimulatedExchange Exchange { get; }

    /// <summary>The base address, e.g. http://127.0.0.1:5123 (WebSockets on ws:// at the same host and port).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public Uri WebSocketBase => new($"ws://{BaseAddress.Authority}");

    /// <summary>Completes when the market has played everything (a source that does not loop) or was stopped.</summary>
    public Task Market => _market ?? Task.CompletedTask;

    public static async Task<SimulatorServer> StartAsync(SimulatedExchange exchange, SimulatorOptions options)
    {
        var app = LoopbackHost.Build(options.Host, options.Port);
        var server = new SimulatorServer(app, exchange);

        async Task Ws(HttpContext ctx, IEnumerable<string> streams, bool combined)
        {
            if (!ctx.WebSockets.IsWebSocketRequest) { ctx.Response.StatusCode = 400; return; }
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            await exchange.ServeAsync(socket, streams, combined, server._stop.Token);
        }
        foreach (string prefix in new[] { "", "/public", "/market" })
        {
            app.Map(prefix + "/stream", ctx => Ws(ctx, (ctx.Request.Query["streams"].ToString()).Split('/', StringSplitOptions.RemoveEmptyEntries), combined: true));
            app.Map(prefix + "/ws/{**stream}", ctx => Ws(ctx, ((string?)ctx.Request.RouteValues["stream"] ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries), combined: false));
            app.Map(prefix + "/ws", ctx => Ws(ctx, [], combined: false));
        }
        async Task Depth(HttpContext ctx)
        {
            int.TryParse(ctx.Request.Query["limit"], out int limit);
            if (ctx.Request.Headers.TryGetValue("X-MBX-APIKEY", out var key)) exchange.SawApiKey(key.ToString());
            var (status, body, retry) = await exchange.DepthAsync(ctx.Request.Query["symbol"], limit, ctx.RequestAborted);
            ctx.Response.StatusCode = status;
            if (retry > 0) ctx.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(body);
        }
        app.MapGet("/api/v3/depth", Depth);
        app.MapGet("/fapi/v1/depth", Depth);
        app.MapGet("/api/v3/exchangeInfo", () => Results.Text(exchange.ExchangeInfo(), "application/json"));
        app.MapGet("/fapi/v1/exchangeInfo", () => Results.Text(exchange.ExchangeInfo(), "application/json"));
        app.MapPost("/_sim/faults/{kind}", (string kind, int? value) =>
        {
            if (!Enum.TryParse<FaultKind>(kind, ignoreCase: true, out var k)) return Results.BadRequest($"unknown fault '{kind}'");
            exchange.Inject(k, value ?? 1);
            return Results.Ok();
        });
        await app.StartAsync();
        server.BaseAddress = LoopbackHost.Address(app);
        server._market = Task.Run(() => exchange.RunAsync(server._stop.Token));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await Market; } catch (OperationCanceledException) { }
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
