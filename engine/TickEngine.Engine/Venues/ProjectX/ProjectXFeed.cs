using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues.ProjectX;

/// <summary>
/// ProjectX Gateway live feed: logs in (<see cref="ProjectXAuth"/>, renewed before expiry), finds each symbol's contract
/// (<c>/api/Contract/search</c>; a contract id such as <c>CON.F.US.MNQ.Z26</c> is taken as it is), and holds the market
/// hub over SignalR (Microsoft.AspNetCore.SignalR.Client, WebSockets, the token as <c>access_token</c>): subscribes
/// each contract's quotes, trades and depth after every connect, writes every invocation it receives into the
/// <see cref="FramePipe"/> as the SignalR JSON message it came as (so the adapter reads live and captured frames
/// alike), reconnects with backoff and jitter, and resubscribes a contract's depth when its book must resync (a fresh
/// book follows). A connect and a disconnect are records in the pipe, stored as session markers.
/// </summary>
public sealed class ProjectXFeed : ILiveFeed, ISnapshotRequester
{
    /// <summary>The Gateway's documented demo hosts; a firm's own (TopstepX's, say) are given with --rest-url and --ws-url.</summary>
    public const string DefaultApi = "https://gateway-api-demo.s2f.projectx.com", DefaultHub = "https://gateway-rtc-demo.s2f.projectx.com/hubs/market";

    private readonly LiveOptions _options;
    private readonly LiveRequest _request;
    private readonly FramePipe _pipe;
    private readonly byte _source;
    private readonly HttpClient _http = new();
    private readonly Connection _connection;
    private readonly ConcurrentQueue<string> _resubscribe = new();
    private readonly SemaphoreSlim _wake = new(0);
    private long _reconnects;

    public ProjectXFeed(LiveFeedRequest r)
    {
        _options = r.Options;
        _request = r.Request;
        _pipe = r.Pipe;
        _source = r.Source;
        Api = _options.RestBase ?? new Uri(DefaultApi);
        if (!Api.AbsoluteUri.EndsWith('/')) Api = new Uri(Api.AbsoluteUri + "/");
        Hub = HubAddress(_options.VenueBase);
        if (_options.UserName is not { } user || _options.ApiKey is not { } key)
            throw new ArgumentException($"ProjectX needs a user name and an API key: set {ProjectXCredentials.UserVariable} and {ProjectXCredentials.KeyVariable}, or give a credentials file");
        Auth = new ProjectXAuth(_http, Api, user, key, _options.TokenRenewal);
        _connection = new Connection(Hub);
    }

    public Uri Api { get; }
    public Uri Hub { get; }
    public ProjectXAuth Auth { get; }

    /// <summary>Why the feed stopped for good (a refused login, a contract not found), or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>The last reason a hub connection failed or ended (no credentials in it), or null.</summary>
    public string? LastError { get; private set; }

    /// <summary>The contracts recorded, by the symbol asked for.</summary>
    public IReadOnlyDictionary<string, string> Contracts => _contracts;
    private readonly Dictionary<string, string> _contracts = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<ILiveConnection> Connections => [_connection];
    public long Reconnects => Interlocked.Read(ref _reconnects);
    public long RestErrors => Interlocked.Read(ref _restErrors);
    private long _restErrors;
    public long OversizeFrames => 0;
    public long BinaryFrames => 0;
    public long LargestReceiveBuffer => Interlocked.Read(ref _largest);
    private long _largest;

    /// <summary>The market hub's address: a given base's <c>/hubs/market</c> (its path kept when it has one), over http(s).</summary>
    public static Uri HubAddress(Uri? given)
    {
        if (given is null) return new Uri(DefaultHub);
        var b = new UriBuilder(given) { Scheme = given.Scheme switch { "ws" => "http", "wss" => "https", _ => given.Scheme } };
        if (b.Path is "" or "/") b.Path = "/hubs/market";
        return b.Uri;
    }

    public void Request(Instrument instrument)
    {
        _resubscribe.Enqueue(instrument.Symbol);
        _wake.Release();
    }

    public void Dispose() => _http.Dispose();

    public async Task RunAsync(CancellationToken cancel)
    {
        var backoff = _options.BackoffInitial;
        // Login and contracts first (retried while the Gateway cannot be reached; a refusal ends the feed).
        while (!cancel.IsCancellationRequested)
        {
            try
            {
                await Auth.EnsureAsync(cancel);
                await FindContractsAsync(cancel);
                break;
            }
            catch (ProjectXLoginRefusedException e) { Fail(e.Message); return; }
            catch (KeyNotFoundException e) { Fail(e.Message); return; }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { return; }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or JsonException)
            {
                Interlocked.Increment(ref _restErrors);
                _connection.State = ConnectionState.Reconnecting;
                try { await Task.Delay(Jitter(backoff), cancel); } catch (OperationCanceledException) { return; }
                backoff = Next(backoff);
            }
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var renew = Auth.RenewLoopAsync(stop.Token);
        try { await HubLoopAsync(cancel); }
        finally
        {
            stop.Cancel();
            await renew;
            if (_connection.State != ConnectionState.Failed) _connection.State = ConnectionState.Disconnected;
        }
    }

    private void Fail(string reason)
    {
        Failure = reason;
        _connection.State = ConnectionState.Failed;
    }

    private async Task FindContractsAsync(CancellationToken cancel)
    {
        foreach (var symbol in _request.Symbols)
        {
            if (_contracts.ContainsKey(symbol)) continue;
            if (symbol.StartsWith("CON.", StringComparison.OrdinalIgnoreCase)) { _contracts[symbol] = symbol.ToUpperInvariant(); continue; }
            using var response = await Auth.PostAsync("api/Contract/search", JsonSerializer.Serialize(new { searchText = symbol, live = false }), cancel);
            if (!response.IsSuccessStatusCode) throw new HttpRequestException($"ProjectX contract search for '{symbol}': HTTP {(int)response.StatusCode}");
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancel));
            string? chosen = null;
            if (doc.RootElement.TryGetProperty("contracts", out var list) && list.ValueKind == JsonValueKind.Array)
            {
                foreach (var c in list.EnumerateArray())
                {
                    string? id = c.TryGetProperty("id", out var i) ? i.GetString() : null;
                    string? name = c.TryGetProperty("name", out var n) ? n.GetString() : null;
                    string? root = c.TryGetProperty("symbolId", out var s) ? s.GetString() : null;
                    bool active = c.TryGetProperty("activeContract", out var a) && a.ValueKind == JsonValueKind.True;
                    bool matches = (root is not null && root.EndsWith("." + symbol, StringComparison.OrdinalIgnoreCase)) ||
                                   (name is not null && name.StartsWith(symbol, StringComparison.OrdinalIgnoreCase)) ||
                                   string.Equals(id, symbol, StringComparison.OrdinalIgnoreCase);
                    if (id is not null && matches && active) { chosen = id; break; }
                }
            }
            _contracts[symbol] = (chosen ?? throw new KeyNotFoundException($"ProjectX has no active contract for '{symbol}' (give a contract id such as CON.F.US.MNQ.Z26)")).ToUpperInvariant();
        }
    }

    private static TimeSpan Jitter(TimeSpan t) => TimeSpan.FromTicks((long)(t.Ticks * (0.5 + Random.Shared.NextDouble() * 0.5)));
    private TimeSpan Next(TimeSpan t) => TimeSpan.FromTicks(Math.Min(_options.BackoffMax.Ticks, t.Ticks * 2));

    private async Task HubLoopAsync(CancellationToken cancel)
    {
        var backoff = _options.BackoffInitial;
        int attempt = 0;
        while (!cancel.IsCancellationRequested)
        {
            _connection.State = attempt == 0 && _connection.Messages == 0 ? ConnectionState.Connecting : ConnectionState.Reconnecting;
            var age = Stopwatch.StartNew();
            bool connected = false;
            try
            {
                await Auth.EnsureAsync(cancel);
                // After a lost connection the token is checked first: the Gateway may have ended the session (a
                // revoked or lapsed token), and a hub connection with it would be refused until the next renewal.
                if (attempt > 0 && !await Auth.ValidateAsync(cancel)) await Auth.LoginAsync(cancel);
                await using var hub = Build();
                var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
                hub.Closed += e => { closed.TrySetResult(e); return Task.CompletedTask; };
                using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel))
                {
                    timeout.CancelAfter(TimeSpan.FromSeconds(10));
                    await hub.StartAsync(timeout.Token);
                }
                connected = true;
                _connection.State = ConnectionState.Connected;
                if (_connection.Messages > 0 || attempt > 0) Interlocked.Increment(ref _reconnects);
                while (_resubscribe.TryDequeue(out _)) { } // a new subscription brings fresh books
                await _pipe.WriteAsync(FramePipe.RecordKind.Connect, ReadOnlyMemory<byte>.Empty, Clock.NowNs(), Hub.ToString(), cancel, _source);
                foreach (var contract in _contracts.Values.Distinct())
                {
                    if (_request.Quotes || _request.Books) await hub.InvokeAsync("SubscribeContractQuotes", contract, cancel);
                    if (_request.Trades) await hub.InvokeAsync("SubscribeContractTrades", contract, cancel);
                    if (_request.Books) await hub.InvokeAsync("SubscribeContractMarketDepth", contract, cancel);
                }
                while (!cancel.IsCancellationRequested && !closed.Task.IsCompleted)
                {
                    while (_resubscribe.TryDequeue(out var contract))
                    {
                        await hub.InvokeAsync("UnsubscribeContractMarketDepth", contract, cancel);
                        await hub.InvokeAsync("SubscribeContractMarketDepth", contract, cancel);
                    }
                    if (age.Elapsed > _options.MaxConnectionAge) break;
                    await Task.WhenAny(closed.Task, _wake.WaitAsync(TimeSpan.FromSeconds(1), cancel));
                }
                if (hub.State != HubConnectionState.Disconnected)
                {
                    try { await hub.StopAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(2)); } catch (Exception) { /* leaving anyway */ }
                }
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { }
            catch (ProjectXLoginRefusedException e) { Fail(e.Message); }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or System.Net.WebSockets.WebSocketException or
                                          InvalidOperationException or Microsoft.AspNetCore.SignalR.HubException or JsonException or TimeoutException)
            {
                LastError = $"{e.GetType().Name}: {e.Message}";
            }
            if (connected)
            {
                try { await _pipe.WriteAsync(_request.Books ? FramePipe.RecordKind.Disconnect : FramePipe.RecordKind.DisconnectTradesOnly, ReadOnlyMemory<byte>.Empty, Clock.NowNs(), null, CancellationToken.None, _source); }
                catch (InvalidOperationException) { /* the pipe is complete: stopping */ }
            }
            if (cancel.IsCancellationRequested || _connection.State == ConnectionState.Failed) break;
            if (age.Elapsed > TimeSpan.FromSeconds(60)) { attempt = 0; backoff = _options.BackoffInitial; }
            attempt++;
            if (_options.MaxAttempts > 0 && attempt >= _options.MaxAttempts && !connected) { _connection.State = ConnectionState.Failed; return; }
            _connection.State = ConnectionState.Reconnecting;
            try { await Task.Delay(Jitter(backoff), cancel); } catch (OperationCanceledException) { break; }
            backoff = Next(backoff);
        }
    }

    private HubConnection Build()
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(Hub, o =>
            {
                o.SkipNegotiation = true;
                o.Transports = HttpTransportType.WebSockets;
                o.AccessTokenProvider = () => Task.FromResult(Auth.Token);
            })
            .Build();
        hub.ServerTimeout = _options.Watchdog;
        hub.KeepAliveInterval = TimeSpan.FromSeconds(Math.Max(1, Math.Min(15, _options.Watchdog.TotalSeconds / 2)));
        foreach (var target in (string[])["GatewayQuote", "GatewayTrade", "GatewayDepth"])
            hub.On(target, [typeof(string), typeof(JsonElement)], (args, state) => ForwardAsync((string)state, args), target);
        return hub;
    }

    private readonly ArrayBufferWriter<byte> _frame = new(1 << 16);

    /// <summary>One invocation into the pipe as the SignalR JSON message it came as (the hub runs handlers one at a time).</summary>
    private async Task ForwardAsync(string target, object?[] args)
    {
        long now = Clock.NowNs();
        _frame.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(_frame))
        {
            w.WriteStartObject();
            w.WriteNumber("type", 1);
            w.WriteString("target", target);
            w.WriteStartArray("arguments");
            w.WriteStringValue((string?)args[0]);
            if (args[1] is JsonElement data) data.WriteTo(w);
            else w.WriteNullValue();
            w.WriteEndArray();
            w.WriteEndObject();
        }
        _connection.Count();
        if (_frame.WrittenCount > _largest) Interlocked.Exchange(ref _largest, _frame.WrittenCount);
        await _pipe.WriteAsync(FramePipe.RecordKind.Frame, _frame.WrittenMemory, now, null, CancellationToken.None, _source);
    }

    private sealed class Connection(Uri uri) : ILiveConnection
    {
        private long _messages;
        public Uri Uri => uri;
        public ConnectionState State { get; set; } = ConnectionState.Disconnected;
        public long Messages => Interlocked.Read(ref _messages);
        public void Count() => Interlocked.Increment(ref _messages);
    }
}
