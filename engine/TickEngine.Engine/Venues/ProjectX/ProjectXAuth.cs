using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues.ProjectX;

/// <summary>Login refused by the Gateway (wrong user name or key): retrying does not help. The message never holds the key.</summary>
public sealed class ProjectXLoginRefusedException(string message) : Exception(message);

/// <summary>
/// The Gateway session token: <c>POST /api/Auth/loginKey</c> for a JWT, <c>POST /api/Auth/validate</c> for a fresh one
/// before it expires (its <c>exp</c> claim; 24 hours when it has none), and a new login when validation is refused.
/// The token and the key are never printed or logged.
/// </summary>
public sealed class ProjectXAuth(HttpClient http, Uri api, string userName, Secret apiKey, TimeSpan? renewBefore = null)
{
    private volatile string? _token;
    private long _expiresTicks;
    private long _issuedTicks;
    private long _logins, _renewals, _renewalFailures;

    /// <summary>The current token (null before the first login).</summary>
    public string? Token => _token;

    public DateTimeOffset Expires => new(Interlocked.Read(ref _expiresTicks), TimeSpan.Zero);
    public long Logins => Interlocked.Read(ref _logins);
    public long Renewals => Interlocked.Read(ref _renewals);
    public long RenewalFailures => Interlocked.Read(ref _renewalFailures);

    /// <summary>Logs in when there is no token or it has expired.</summary>
    public async Task EnsureAsync(CancellationToken cancel)
    {
        if (_token is null || DateTimeOffset.UtcNow >= Expires) await LoginAsync(cancel);
    }

    public async Task LoginAsync(CancellationToken cancel)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["userName"] = userName, ["apiKey"] = apiKey.Reveal() });
        using var response = await PostAsync("api/Auth/loginKey", body, bearer: null, cancel);
        var (ok, token, error) = await ReadAsync(response, "token", cancel);
        if (!ok)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden || (response.IsSuccessStatusCode && error is not null))
                throw new ProjectXLoginRefusedException($"ProjectX refused the login of user '{userName}' at {api}: {error ?? response.StatusCode.ToString()}");
            throw new HttpRequestException($"ProjectX login at {api} failed: HTTP {(int)response.StatusCode}");
        }
        Set(token!);
        Interlocked.Increment(ref _logins);
    }

    /// <summary>Asks for a fresh token with the current one; false when the Gateway refuses it (a new login is then needed).</summary>
    public async Task<bool> ValidateAsync(CancellationToken cancel)
    {
        if (_token is not { } current) return false;
        using var response = await PostAsync("api/Auth/validate", "{}", current, cancel);
        var (ok, token, _) = await ReadAsync(response, "newToken", cancel);
        if (!ok) return false;
        Set(token ?? current);
        Interlocked.Increment(ref _renewals);
        return true;
    }

    /// <summary>When the token should be renewed: <c>renewBefore</c> ahead of its expiry, by default a quarter of its lifetime (at most 30 minutes).</summary>
    public DateTimeOffset RenewAt
    {
        get
        {
            var expires = Expires;
            var lifetime = expires - new DateTimeOffset(Interlocked.Read(ref _issuedTicks), TimeSpan.Zero);
            var before = renewBefore ?? TimeSpan.FromTicks(Math.Min(lifetime.Ticks / 4, TimeSpan.FromMinutes(30).Ticks));
            return expires - before;
        }
    }

    /// <summary>Renews the token before each expiry until <paramref name="cancel"/>: validate, else log in again.</summary>
    public async Task RenewLoopAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            var wait = RenewAt - DateTimeOffset.UtcNow;
            if (wait > TimeSpan.Zero)
            {
                try { await Task.Delay(wait < TimeSpan.FromMinutes(1) ? wait : TimeSpan.FromMinutes(1), cancel); }
                catch (OperationCanceledException) { return; }
                continue;
            }
            try
            {
                if (!await ValidateAsync(cancel)) await LoginAsync(cancel);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested) { return; }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or ProjectXLoginRefusedException or JsonException)
            {
                Interlocked.Increment(ref _renewalFailures);
                try { await Task.Delay(TimeSpan.FromSeconds(1), cancel); } catch (OperationCanceledException) { return; }
            }
        }
    }

    private void Set(string token)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = ExpiryOf(token) ?? now.AddHours(24);
        Interlocked.Exchange(ref _issuedTicks, now.UtcTicks);
        Interlocked.Exchange(ref _expiresTicks, expires.UtcTicks);
        _token = token;
    }

    /// <summary>The <c>exp</c> claim of a JWT (seconds since the epoch), or null when the token is not a JWT that has one.</summary>
    public static DateTimeOffset? ExpiryOf(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return null;
        try
        {
            string b64 = parts[1].Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + (4 - b64.Length % 4) % 4, '=');
            using var doc = JsonDocument.Parse(Convert.FromBase64String(b64));
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out long s))
                return DateTimeOffset.FromUnixTimeSeconds(s);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException) { }
        return null;
    }

    /// <summary>A Gateway request with the current token (10 s at most).</summary>
    public Task<HttpResponseMessage> PostAsync(string path, string json, CancellationToken cancel) => PostAsync(path, json, _token, cancel);

    private async Task<HttpResponseMessage> PostAsync(string path, string json, string? bearer, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(api, path)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        return await http.SendAsync(request, timeout.Token);
    }

    /// <summary>The Gateway's answer: <c>success</c>, the named token field, and <c>errorMessage</c>.</summary>
    private static async Task<(bool Ok, string? Token, string? Error)> ReadAsync(HttpResponseMessage response, string field, CancellationToken cancel)
    {
        if (!response.IsSuccessStatusCode) return (false, null, null);
        var text = await response.Content.ReadAsStringAsync(cancel);
        using var doc = JsonDocument.Parse(text);
        var root = doc.RootElement;
        bool success = root.TryGetProperty("success", out var s) && s.ValueKind == JsonValueKind.True;
        string? token = root.TryGetProperty(field, out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        string? error = root.TryGetProperty("errorMessage", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
        if (!success) return (false, null, error ?? (root.TryGetProperty("errorCode", out var c) ? $"error code {c}" : "not successful"));
        return (field == "newToken" || token is not null, token, null);
    }
}
