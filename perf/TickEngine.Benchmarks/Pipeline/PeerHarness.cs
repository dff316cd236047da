using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TickEngine.Benchmarks.Inputs;

namespace TickEngine.Benchmarks.Pipeline;

/// <summary>
/// <c>peer-tardis [--capture FILE ...] [--day] [--repeat N]</c>: <c>tickengine record --capture</c> (every schema:
/// trades, deltas, L2 top 5 each second, bars 1m..1d, status) beside tardis-dev 13.35.3 (its own Binance
/// normalizers for trades and book changes, and its computables for top-5 book snapshots each second and trade bars
/// 1m..1d, under node: perf/peers/tardis-dev/record.mjs) over the same capture files, in one run. Each side runs as
/// its own process; start-up (runtime and library load) is reported apart from processing (first frame to the
/// last row written). tardis-dev is installed with npm into perf/results/tmp/tardis-dev the first time.
/// </summary>
public static class PeerHarness
{
    public static int Run(string[] args)
    {
        int repeat = (int)HarnessArgs.Long(args, "--repeat", 3);
        var captures = new List<string>();
        for (int i = 0; i < args.Length - 1; i++) if (args[i] == "--capture") captures.Add(args[i + 1]);
        if (captures.Count == 0) captures.Add(FixtureTrades.BinanceSpotCapture);
        if (args.Contains("--day")) captures.Add(DayCapture.Ensure(DayCapture.DefaultPath, DayCapture.DayFrames));
        string root = RepoRoot();
        string tardis = EnsureTardis(root);
        string cli = Path.Combine(root, "tools", "TickEngine.Cli", "bin", "Release", "net10.0", "tickengine.dll");
        if (!File.Exists(cli)) throw new FileNotFoundException("build the CLI first: dotnet build tools/TickEngine.Cli -c Release", cli);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine($"| capture | frames | TickEngine processing | frames/s | start-up | tardis-dev processing | frames/s | start-up | speed-up |");
        Console.WriteLine($"|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var capture in captures)
        {
            var ours = new List<(double Processing, double Startup, long Frames, long Trades, long Diffs)>();
            var theirs = new List<(double Processing, double Startup, long Frames, long Trades, long Diffs)>();
            for (int r = 0; r < repeat; r++)
            {
                ours.Add(RunOurs(cli, capture));
                theirs.Add(RunTardis(tardis, root, capture));
            }
            var o = ours.OrderBy(x => x.Processing).ElementAt(ours.Count / 2);
            var t = theirs.OrderBy(x => x.Processing).ElementAt(theirs.Count / 2);
            if (o.Trades != t.Trades || o.Diffs != t.Diffs)
                Console.Error.WriteLine($"peer-tardis: the two disagree on {Path.GetFileName(capture)}: trades {o.Trades} vs {t.Trades}, book changes {o.Diffs} vs {t.Diffs}");
            Console.WriteLine(string.Format(inv, "| {0} | {1:N0} | {2:F3} s | {3:N0} | {4:F3} s | {5:F3} s | {6:N0} | {7:F3} s | **{8:F1}x** |",
                Path.GetFileName(capture), o.Frames, o.Processing, o.Frames / o.Processing, o.Startup, t.Processing, t.Frames / t.Processing, t.Startup, t.Processing / o.Processing));
        }
        Console.WriteLine($"(medians of {repeat} runs each; both sides agree on the trades and the book changes applied; machine: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {NodeVersion()})");
        return 0;
    }

    private static (double, double, long, long, long) RunOurs(string cli, string capture)
    {
        string dir = Path.Combine(Path.GetTempPath(), "tickengine-peer-" + Guid.NewGuid().ToString("N"));
        try
        {
            var sw = Stopwatch.StartNew();
            var (code, _, err) = Exec("dotnet", [cli, "record", "--capture", capture, "--exchange", "binance", "--data", Path.Combine(dir, "data"), "--summary-json", Path.Combine(dir, "summary.json"), "--quiet"]);
            double wall = sw.Elapsed.TotalSeconds;
            if (code != 0) throw new InvalidOperationException($"tickengine record failed ({code}): {err}");
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
            var s = doc.RootElement;
            double processing = s.GetProperty("elapsed_s").GetDouble();
            return (processing, wall - processing, s.GetProperty("frames").GetInt64(), s.GetProperty("rows_trades").GetInt64(), s.GetProperty("diffs_applied").GetInt64());
        }
        finally
        {
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    private static (double, double, long, long, long) RunTardis(string tardisHome, string root, string capture)
    {
        var sw = Stopwatch.StartNew();
        var (code, output, err) = Exec("node", [Path.Combine(root, "perf", "peers", "tardis-dev", "record.mjs"), capture, "binance"], ("TARDIS_DEV_HOME", Path.Combine(tardisHome, "node_modules")));
        double wall = sw.Elapsed.TotalSeconds;
        if (code != 0) throw new InvalidOperationException($"tardis-dev failed ({code}): {err}");
        using var doc = JsonDocument.Parse(output.Trim().Split('\n')[^1]);
        var s = doc.RootElement;
        double processing = s.GetProperty("processing_ms").GetDouble() / 1000;
        // tardis-dev's book changes: its snapshot (into which it merges the diff that brackets it) and the diffs after
        // it, as many as the diffs TickEngine applies (the bracketing one on its own, after the snapshot).
        return (processing, wall - processing, s.GetProperty("frames").GetInt64(), s.GetProperty("trades").GetInt64(), s.GetProperty("book_changes").GetInt64());
    }

    private static string EnsureTardis(string root)
    {
        string home = Path.Combine(root, "perf", "results", "tmp", "tardis-dev");
        if (File.Exists(Path.Combine(home, "node_modules", "tardis-dev", "package.json"))) return home;
        Directory.CreateDirectory(home);
        Console.Error.WriteLine($"peer-tardis: npm install tardis-dev@13.35.3 into {home}");
        var (code, _, err) = Exec("npm", ["install", "--prefix", home, "--no-audit", "--no-fund", "tardis-dev@13.35.3"]);
        if (code != 0) throw new InvalidOperationException($"npm install tardis-dev@13.35.3 failed: {err}");
        return home;
    }

    private static string NodeVersion() => Exec("node", ["--version"]).Output.Trim() is { Length: > 0 } v ? "node " + v : "node";

    private static (int Code, string Output, string Error) Exec(string file, string[] args, params (string Name, string Value)[] env)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (n, v) in env) psi.Environment[n] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "TickEngine.sln"))) d = d.Parent;
        return d?.FullName ?? Directory.GetCurrentDirectory();
    }
}
