using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace TickEngine.Tests.Shared;

/// <summary>
/// A private PostgreSQL cluster for a test, from Debian's package (<c>/usr/lib/postgresql/N/bin</c>; .ci/run installs
/// it when missing): <c>initdb</c> into a temporary folder (as the <c>postgres</c> user when the tests run as root,
/// since PostgreSQL refuses to run as root), started on a free loopback port with trust authentication, stopped and
/// removed on dispose. <see cref="Stop"/> and <see cref="Start"/> make an outage.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _bin, _dir, _socket;
    private readonly bool _asPostgres;

    public PostgresServer()
    {
        _bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault() ?? ""
            : "";
        if (_bin.Length == 0) throw new InvalidOperationException("PostgreSQL is needed for this test: apt-get install postgresql (.ci/run installs it)");
        _asPostgres = Environment.UserName == "root";
        _dir = Path.Combine(Path.GetTempPath(), "tickengine-pg-" + Guid.NewGuid().ToString("N"));
        _socket = _dir + "-sock";
        Directory.CreateDirectory(_dir);
        Directory.CreateDirectory(_socket);
        if (_asPostgres) Run("chown", "postgres:postgres", _dir, _socket);
        Port = FreePort();
        Pg("initdb", "-D", _dir, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8");
        Start();
    }

    public int Port { get; }
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false;Timeout=5";

    public void Start() => Pg("pg_ctl", "-D", _dir, "-w", "-t", "30", "-l", Path.Combine(_dir, "server.log"),
        "-o", $"-p {Port} -k {_socket} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off", "start");

    /// <summary>Stops the server at once (open connections are cut).</summary>
    public void Stop() => Pg("pg_ctl", "-D", _dir, "-w", "-m", "immediate", "stop");

    private void Pg(string tool, params string[] args)
    {
        string exe = Path.Combine(_bin, tool);
        if (_asPostgres) Run("runuser", ["-u", "postgres", "--", exe, .. args]);
        else Run(exe, args);
    }

    private static void Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(60_000)) { p.Kill(true); throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{exe} {string.Join(' ', args)}: exit {p.ExitCode}: {err.Result}{output}");
    }

    private static int FreePort() => LoopbackPorts.Free();

    public void Dispose()
    {
        try { Stop(); } catch (Exception) { }
        try { Directory.Delete(_dir, true); } catch (Exception) { }
        try { Directory.Delete(_socket, true); } catch (Exception) { }
    }
}
