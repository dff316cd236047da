using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace TickEngine.Simulator.Dialects.ProjectX;

/// <summary>How the ProjectX simulator runs.</summary>
public sealed record ProjectXSimulatorOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; }

    /// <summary>Contract roots (MNQ, MES, ES, ...): the front quarterly contract of each is served.</summary>
    public IReadOnlyList<string> Roots { get; init; } = ["MNQ"];

    /// <summary>Market events per second of wall time.</summary>
    public int Rate { get; init; } = 200;

    /// <summary>Market time at the start (UTC); null = now. Market time runs at <see cref="Speed"/> times wall time and jumps over CME's closed hours.</summary>
    public DateTimeOffset? MarketStart { get; init; }

    public double Speed { get; init; } = 1;

    /// <summary>How long a session token is valid (the Gateway's: 24 hours).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(24);

    public string UserName { get; init; } = "sim";
    public string ApiKey { get; init; } = "sim-key";
    public int Seed { get; init; } = 1;

    /// <summary>Stop the market after this many events (null: endless).</summary>
    public long? Events { get; init; }
}

/// <summary>Faults the ProjectX simulator injects (<c>POST /_sim/faults/{kind}?value=N</c>).</summary>
public enum ProjectXFault
{
    /// <summary>Do not send the next depth change that moves a best price (lost to every client; the market keeps it).</summary>
    DropDepth,
    /// <summary>Every session token expires now: the hub closes its connections; clients must log in again.</summary>
    ExpireToken,
    /// <summary>The hub drops every connection (a restart).</summary>
    HubRestart,
    /// <summary>The next N events are sent at once, unpaced (a consumer that falls behind must still lose nothing).</summary>
    Burst,
    /// <summary>Nothing is sent for N milliseconds.</summary>
    Stall,
}

/// <summary>
/// ProjectX Gateway on loopback for tests and demos: REST <c>/api/Auth/loginKey</c>, <c>/api/Auth/validate</c>,
/// <c>/api/Contract/search</c>, <c>/api/Contract/searchById</c>; the market hub <c>/hubs/market</c> (ASP.NET Core
/// SignalR, the token as <c>access_token</c>) with <c>SubscribeContractQuotes/Trades/MarketDepth</c> and their
/// unsubscribes, sending <c>GatewayQuote</c>, <c>GatewayTrade</c> and <c>GatewayDepth</c> (a reset and the whole book on
/// each depth subscription); a synthetic CME futures market (<see cref="FuturesMarket"/>) on Globex hours
/// (<see cref="CmeHours"/>: the maintenance break and the weekend are skipped in market time, and the books are sent
/// afresh at each open); tokens that expire (a connection is closed when its login's token lapses unrenewed); and
/// faults (<see cref="ProjectXFault"/>). Every frame goes out from the market loop, so each connection gets them in
/// order; a slow connection makes the market wait (nothing is dropped).
/// </summary>
public sealed class ProjectXSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ProjectXSimulatorOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, Login> _tokens = new();
    private readonly ConcurrentDictionary<string, (HubCallerContext Context, Login Login)> _connections = new();
    private readonly ConcurrentQueue<(string Connection, string Contract, char Kind, bool Subscribe)> _requests = new();
    private readonly Dictionary<(string Contract, char Kind), HashSet<string>> _subscribers = new();
    private readonly byte[] _signingKey = RandomNumberGenerator.GetBytes(32);
    private Task? _market, _watch;
    private int _dropDepth, _burst, _stallMs;
    private long _marketNs;

    private sealed class Login
    {
        public long ExpiresNs;
        public string User = "";
    }

    private ProjectXSimulator(WebApplication app, ProjectXSimulatorOptions options, FuturesMarket market)
    {
        _app = app;
        _options = options;
        Market = market;
    }

    public FuturesMarket Market { get; }
    public Uri BaseAddress { get; private set; } = null!;
    public long EventsSent => Interlocked.Read(ref _eventsSent);
    public long TradesSent => Interlocked.Read(ref _tradesSent);
    public long DepthDropped => Interlocked.Read(ref _depthDropped);
    public long Logins => Interlocked.Read(ref _logins);
    public long Validations => Interlocked.Read(ref _validations);
    public long ConnectionsClosedForExpiry => Interlocked.Read(ref _expiredClosed);
    public long Opens => Interlocked.Read(ref _opens);
    public int Connected => _connections.Count;
    public long Refused => Interlocked.Read(ref _refused);
    private long _refused;
    private long _eventsSent, _tradesSent, _depthDropped, _logins, _validations, _expiredClosed, _opens;

    /// <summary>Market time now (ns since the epoch, UTC).</summary>
    public long MarketTimeNs => Interlocked.Read(ref _marketNs);

    /// <summary>Completes when the market has sent <see cref="ProjectXSimulatorOptions.Events"/> events, or was stopped.</summary>
    public Task MarketTask => _market ?? Task.CompletedTask;

    public static async Task<ProjectXSimulator> StartAsync(ProjectXSimulatorOptions options)
    {
        var start = options.MarketStart ?? DateTimeOffset.UtcNow;
        var contracts = options.Roots.Select(r => FuturesMarket.Front(r, start.UtcDateTime)).ToList();
        var market = new FuturesMarket(contracts, options.Seed);
        ProjectXSimulator? sim = null;
        var app = LoopbackHost.Build(options.Host, options.Port, s =>
        {
            s.AddSignalR(o => { o.EnableDetailedErrors = false; o.MaximumReceiveMessageSize = 16 * 1024; });
            s.AddSingleton(_ => sim!);
        });
        sim = new ProjectXSimulator(app, options, market);
        sim._marketNs = start.ToUnixTimeMilliseconds() * 1_000_000;
        app.MapPost("/api/Auth/loginKey", (Delegate)sim.LoginAsync);
        app.MapPost("/api/Auth/validate", (Delegate)sim.Validate);
        app.MapPost("/api/Contract/search", (Delegate)sim.SearchAsync);
        app.MapPost("/api/Contract/searchById", (Delegate)sim.SearchByIdAsync);
        app.MapHub<MarketHub>("/hubs/market");
        app.MapPost("/_sim/faults/{kind}", (string kind, int? value) =>
        {
            if (!Enum.TryParse<ProjectXFault>(kind, ignoreCase: true, out var k)) return Results.BadRequest($"unknown fault '{kind}' ({string.Join(", ", Enum.GetNames<ProjectXFault>())})");
            sim.Inject(k, value ?? 0);
            return Results.Ok();
        });
        await app.StartAsync();
        sim.BaseAddress = LoopbackHost.Address(app);
        var hub = app.Services.GetRequiredService<IHubContext<MarketHub>>();
        sim._market = Task.Run(() => sim.RunMarketAsync(hub, sim._stop.Token));
        sim._watch = Task.Run(() => sim.WatchTokensAsync(sim._stop.Token));
        return sim;
    }

    public void Inject(ProjectXFault fault, int value)
    {
        switch (fault)
        {
            case ProjectXFault.DropDepth: Interlocked.Add(ref _dropDepth, Math.Max(1, value)); break;
            case ProjectXFault.ExpireToken:
                foreach (var l in _tokens.Values) Interlocked.Exchange(ref l.ExpiresNs, 0);
                break;
            case ProjectXFault.HubRestart:
                foreach (var (_, (ctx, _)) in _connections) ctx.Abort();
                break;
            case ProjectXFault.Burst: Interlocked.Add(ref _burst, Math.Max(1, value)); break;
            case ProjectXFault.Stall: Interlocked.Exchange(ref _stallMs, Math.Max(1, value)); break;
        }
    }

    // ---- REST ----

    private static long NowNs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000;

    private string Issue(Login login)
    {
        long exp = (NowNs() + (long)(_options.TokenLifetime.TotalMilliseconds * 1_000_000)) / 1_000_000_000;
        Interlocked.Exchange(ref login.ExpiresNs, exp * 1_000_000_000);
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        string header = B64("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray());
        string payload = B64(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object> { ["sub"] = login.User, ["exp"] = exp, ["jti"] = Guid.NewGuid().ToString("N") }));
        string signature = B64(HMACSHA256.HashData(_signingKey, Encoding.ASCII.GetBytes(header + "." + payload)));
        string token = $"{header}.{payload}.{signature}";
        _tokens[token] = login;
        return token;
    }

    private Login? Valid(string? token) =>
        token is not null && _tokens.TryGetValue(token, out var l) && Interlocked.Read(ref l.ExpiresNs) > NowNs() ? l : null;

    private static string? Bearer(HttpContext ctx)
    {
        string h = ctx.Request.Headers.Authorization.ToString();
        return h.StartsWith("Bearer ", StringComparison.Ordinal) ? h[7..].Trim() : null;
    }

    private async Task<IResult> LoginAsync(HttpContext ctx)
    {
        using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
        string? user = doc.RootElement.TryGetProperty("userName", out var u) ? u.GetString() : null;
        string? key = doc.RootElement.TryGetProperty("apiKey", out var k) ? k.GetString() : null;
        if (user != _options.UserName || key != _options.ApiKey)
            return Results.Json(new { token = (string?)null, success = false, errorCode = 3, errorMessage = "Invalid credentials" });
        Interlocked.Increment(ref _logins);
        var token = Issue(new Login { User = user });
        return Results.Json(new { token, success = true, errorCode = 0, errorMessage = (string?)null });
    }

    private IResult Validate(HttpContext ctx)
    {
        if (Valid(Bearer(ctx)) is not { } login) return Results.StatusCode(401);
        Interlocked.Increment(ref _validations);
        return Results.Json(new { success = true, errorCode = 0, errorMessage = (string?)null, newToken = Issue(login) });
    }

    private object ContractJson(FuturesContract c) => new
    {
        id = c.Id, name = c.Name, description = c.Description, tickSize = c.TickSize, tickValue = c.TickValue, activeContract = true, symbolId = c.SymbolId,
    };

    private async Task<IResult> SearchAsync(HttpContext ctx)
    {
        if (Valid(Bearer(ctx)) is null) return Results.StatusCode(401);
        using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
        string text = doc.RootElement.TryGetProperty("searchText", out var t) ? t.GetString() ?? "" : "";
        var found = Market.Contracts.Where(c => c.Name.StartsWith(text, StringComparison.OrdinalIgnoreCase) || c.SymbolId.EndsWith("." + text, StringComparison.OrdinalIgnoreCase))
            .Take(20).Select(ContractJson).ToList();
        return Results.Json(new { contracts = found, success = true, errorCode = 0, errorMessage = (string?)null });
    }

    private async Task<IResult> SearchByIdAsync(HttpContext ctx)
    {
        if (Valid(Bearer(ctx)) is null) return Results.StatusCode(401);
        using var doc = await JsonDocument.ParseAsync(ctx.Request.Body);
        string id = doc.RootElement.TryGetProperty("contractId", out var t) ? t.GetString() ?? "" : "";
        var c = Market.Contracts.FirstOrDefault(x => string.Equals(x.Id, id, StringComparison.OrdinalIgnoreCase));
        return Results.Json(new { contract = c is null ? null : ContractJson(c), success = c is not null, errorCode = c is null ? 1 : 0, errorMessage = c is null ? "contract not found" : null });
    }

    // ---- hub ----

    internal bool Connect(HubCallerContext ctx)
    {
        // Browsers send the token as access_token in the query; the .NET client as an Authorization header.
        var http = ctx.GetHttpContext();
        string? token = http is null ? null : (string?)http.Request.Query["access_token"] is { Length: > 0 } q ? q : Bearer(http);
        if (Valid(token) is not { } login) { Interlocked.Increment(ref _refused); return false; }
        _connections[ctx.ConnectionId] = (ctx, login);
        return true;
    }

    internal void Disconnect(string connection)
    {
        _connections.TryRemove(connection, out _);
        foreach (var kind in "qtd")
            foreach (var c in Market.Contracts) _requests.Enqueue((connection, c.Id, kind, false));
    }

    internal void Request(string connection, string contract, char kind, bool subscribe) =>
        _requests.Enqueue((connection, contract.ToUpperInvariant(), kind, subscribe));

    /// <summary>Closes every connection whose login's token lapsed unrenewed (a renewed token keeps its login alive).</summary>
    private async Task WatchTokensAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            try { await Task.Delay(100, cancel); } catch (OperationCanceledException) { return; }
            long now = NowNs();
            foreach (var (id, (ctx, login)) in _connections)
                if (Interlocked.Read(ref login.ExpiresNs) <= now && _connections.TryRemove(id, out _))
                {
                    Interlocked.Increment(ref _expiredClosed);
                    ctx.Abort();
                }
        }
    }

    // ---- the market loop: every frame goes out from here ----

    private async Task RunMarketAsync(IHubContext<MarketHub> hub, CancellationToken cancel)
    {
        long nsPerEvent = Math.Max(1, 1_000_000_000L / Math.Max(1, _options.Rate));
        long marketStep = (long)(nsPerEvent * _options.Speed);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long n = 0;
        bool open = true;
        if (!CmeHours.IsOpen(MarketTimeNs)) Interlocked.Exchange(ref _marketNs, CmeHours.NextOpen(MarketTimeNs));
        try
        {
            while (!cancel.IsCancellationRequested && (_options.Events is not { } max || n < max))
            {
                await ServeRequestsAsync(hub, cancel);
                if (Interlocked.Exchange(ref _stallMs, 0) is int stall and > 0) await Task.Delay(stall, cancel);
                if (Volatile.Read(ref _burst) > 0) Interlocked.Decrement(ref _burst);
                else
                {
                    long due = n * nsPerEvent;
                    long wait = due - clock.Elapsed.Ticks * 100;
                    if (wait > 1_000_000) { await Task.Delay(TimeSpan.FromTicks(wait / 100), cancel); continue; }
                }
                // Market time: a step per event; a closed period is jumped over, and the books are sent afresh at the open.
                long t = Interlocked.Add(ref _marketNs, marketStep);
                if (!CmeHours.IsOpen(t))
                {
                    Interlocked.Exchange(ref _marketNs, CmeHours.NextOpen(t));
                    open = false;
                }
                if (!open)
                {
                    open = true;
                    Interlocked.Increment(ref _opens);
                    for (int i = 0; i < Market.Contracts.Count; i++)
                        await SendAsync(hub, Market.Contracts[i], 'd', "GatewayDepth", Entries(Market.Snapshot(i)), cancel);
                }
                foreach (var e in Market.Step(n)) await SendAsync(hub, e, cancel);
                n++;
                Interlocked.Increment(ref _eventsSent);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested) { }
    }

    private string Time() => Iso(MarketTimeNs);

    /// <summary>Times as the Gateway writes them: ISO-8601 with an offset.</summary>
    public static string Iso(long ns) =>
        DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).AddTicks(ns % 1_000_000 / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture);

    private object[] Entries(DomEntry[] entries)
    {
        string time = Time();
        return entries.Select(e => (object)new { timestamp = time, type = e.Type, price = e.Price, volume = e.Volume, currentVolume = e.Volume }).ToArray();
    }

    private async Task SendAsync(IHubContext<MarketHub> hub, FuturesEvent e, CancellationToken cancel)
    {
        switch (e)
        {
            case DepthEvent d:
                if (d.MovesTouch && Volatile.Read(ref _dropDepth) > 0 && _subscribers.TryGetValue((d.Contract.Id, 'd'), out var watching) && watching.Count > 0) { Interlocked.Decrement(ref _dropDepth); Interlocked.Increment(ref _depthDropped); return; }
                await SendAsync(hub, d.Contract, 'd', "GatewayDepth", Entries(d.Entries), cancel);
                break;
            case PrintEvent p:
                await SendAsync(hub, p.Contract, 't', "GatewayTrade",
                    new object[] { new { symbolId = p.Contract.SymbolId, price = p.Price, timestamp = Time(), type = p.Aggressor, volume = p.Volume } }, cancel);
                break;
            case QuoteEvent q:
                string time = Time();
                await SendAsync(hub, q.Contract, 'q', "GatewayQuote", new
                {
                    symbol = q.Contract.SymbolId, symbolName = q.Contract.Name, lastPrice = q.Last, bestBid = q.BestBid, bestAsk = q.BestAsk,
                    change = 0m, changePercent = 0m, open = q.Last, high = q.Last, low = q.Last, volume = q.Volume, lastUpdated = time, timestamp = time,
                }, cancel);
                break;
        }
    }

    private async Task SendAsync(IHubContext<MarketHub> hub, FuturesContract c, char kind, string target, object data, CancellationToken cancel)
    {
        if (!_subscribers.TryGetValue((c.Id, kind), out var set) || set.Count == 0) return;
        if (kind == 't') Interlocked.Increment(ref _tradesSent); // a print some client was sent
        await hub.Clients.Clients(set.ToList()).SendAsync(target, c.Id, data, cancel);
    }

    private async Task ServeRequestsAsync(IHubContext<MarketHub> hub, CancellationToken cancel)
    {
        while (_requests.TryDequeue(out var r))
        {
            var key = (r.Contract, r.Kind);
            if (!_subscribers.TryGetValue(key, out var set)) _subscribers[key] = set = new HashSet<string>();
            if (!r.Subscribe) { set.Remove(r.Connection); continue; }
            int i = Market.IndexOf(r.Contract);
            if (i < 0 || !set.Add(r.Connection)) continue;
            // A depth subscription starts with the whole book; a quote subscription with the current quote.
            if (r.Kind == 'd') await hub.Clients.Client(r.Connection).SendAsync("GatewayDepth", Market.Contracts[i].Id, Entries(Market.Snapshot(i)), cancel);
            else if (r.Kind == 'q') await SendAsync(hub, Market.Quote(i), cancel);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        try { await MarketTask; } catch (OperationCanceledException) { }
        try { if (_watch is not null) await _watch; } catch (OperationCanceledException) { }
        foreach (var (_, (ctx, _)) in _connections) ctx.Abort();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The market hub clients call (ProjectX's method names).</summary>
public sealed class MarketHub(ProjectXSimulator sim) : Hub
{
    public override Task OnConnectedAsync()
    {
        if (!sim.Connect(Context)) Context.Abort();
        return Task.CompletedTask;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        sim.Disconnect(Context.ConnectionId);
        return Task.CompletedTask;
    }

    public void SubscribeContractQuotes(string contractId) => sim.Request(Context.ConnectionId, contractId, 'q', true);
    public void UnsubscribeContractQuotes(string contractId) => sim.Request(Context.ConnectionId, contractId, 'q', false);
    public void SubscribeContractTrades(string contractId) => sim.Request(Context.ConnectionId, contractId, 't', true);
    public void UnsubscribeContractTrades(string contractId) => sim.Request(Context.ConnectionId, contractId, 't', false);
    public void SubscribeContractMarketDepth(string contractId) => sim.Request(Context.ConnectionId, contractId, 'd', true);
    public void UnsubscribeContractMarketDepth(string contractId) => sim.Request(Context.ConnectionId, contractId, 'd', false);
}
