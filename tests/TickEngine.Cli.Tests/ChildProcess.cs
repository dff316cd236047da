using System.Diagnostics;
using System.Runtime.InteropServices;

namespace TickEngine.Cli.Tests;

/// <summary>
/// <c>tickengine</c> run as a child process (the built CLI beside the tests), its output collected as it comes, so a
/// test can wait for a line, send it a signal and time how long it takes to stop.
/// </summary>
public sealed partial class ChildProcess : IDisposable
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "tickengine.dll");

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    private readonly Process _p;
    private readonly List<string> _err = new(), _out = new();

    private ChildProcess(Process p)
    {
        _p = p;
        _p.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_err) _err.Add(e.Data); };
        _p.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_out) _out.Add(e.Data); };
        _p.BeginErrorReadLine();
        _p.BeginOutputReadLine();
    }

    public static ChildProcess Start(params string[] args) => Start(null, args);

    /// <summary>The CLI with <paramref name="environment"/> added to this process's (credentials, say).</summary>
    public static ChildProcess Start(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", [Cli, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (environment is not null)
            foreach (var (k, v) in environment) psi.Environment[k] = v;
        return new ChildProcess(Process.Start(psi)!);
    }

    public int Pid => _p.Id;
    public bool Exited => _p.HasExited;
    public int ExitCode => _p.ExitCode;
    public string Error { get { lock (_err) return string.Join("\n", _err); } }
    public string Output { get { lock (_out) return string.Join("\n", _out); } }

    /// <summary>Waits until a line of stderr or stdout matches (true), the process ends, or the time is up (false).</summary>
    public bool WaitForLine(Func<string, bool> match, TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            lock (_err) if (_err.Any(match)) return true;
            lock (_out) if (_out.Any(match)) return true;
            if (_p.HasExited) return false;
            Thread.Sleep(20);
        }
        return false;
    }

    /// <summary>Sends SIGTERM and returns how long the process took to exit (null: not within <paramref name="timeout"/>).</summary>
    public TimeSpan? Terminate(TimeSpan timeout)
    {
        var sw = Stopwatch.StartNew();
        Kill(_p.Id, 15);
        if (!_p.WaitForExit(timeout)) return null;
        _p.WaitForExit(); // the output readers drain
        return sw.Elapsed;
    }

    /// <summary>SIGKILL: the process dies where it stands, as a crash or an OOM kill leaves it (no handler runs).</summary>
    public void KillHard()
    {
        Kill(_p.Id, 9);
        _p.WaitForExit();
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_p.WaitForExit(timeout)) return false;
        _p.WaitForExit();
        return true;
    }

    public void Dispose()
    {
        try { if (!_p.HasExited) _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _p.Dispose();
    }
}
