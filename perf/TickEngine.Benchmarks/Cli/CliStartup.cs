using System.Diagnostics;
using System.Globalization;

namespace TickEngine.Benchmarks.Cli;

/// <summary>
/// <c>cli-startup [--repeat N]</c>: wall time of <c>tickengine --help</c> and of <c>tickengine record --help</c>
/// as separate processes (the built binary, not <c>dotnet run</c>), after one warm-up run: median, p90 and max.
/// </summary>
public static class CliStartup
{
    public static int Run(string[] args)
    {
        int repeat = (int)HarnessArgs.Long(args, "--repeat", 20);
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "TickEngine.sln"))) d = d.Parent;
        string exe = Path.Combine(d!.FullName, "tools", "TickEngine.Cli", "bin", "Release", "net10.0", "tickengine");
        if (!File.Exists(exe)) throw new FileNotFoundException("build the CLI first: dotnet build tools/TickEngine.Cli -c Release", exe);
        foreach (var args0 in new[] { new[] { "--help" }, new[] { "record", "--help" }, new[] { "completion", "bash" } })
        {
            Time(exe, args0);
            var ms = Enumerable.Range(0, repeat).Select(_ => Time(exe, args0)).OrderBy(x => x).ToList();
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "tickengine {0,-16} median {1,6:F1} ms  p90 {2,6:F1} ms  max {3,6:F1} ms  ({4} runs)",
                string.Join(' ', args0), ms[ms.Count / 2], ms[(int)(ms.Count * 0.9)], ms[^1], repeat));
        }
        return 0;
    }

    private static double Time(string exe, string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return sw.Elapsed.TotalMilliseconds;
    }
}
