using TickEngine.Simulator.Dialects.Binance;
using System.Diagnostics;
using TickEngine.Benchmarks.Inputs;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;

namespace TickEngine.Benchmarks.Pipeline;

/// <summary>
/// <c>capture-day [--frames N] [--out FILE]</c>: a day-sized capture made from the real spot capture looped, with
/// update ids, trade ids and times shifted each pass so that every stream continues (the simulator's loop, written
/// to a file): 10.3 M frames by default (the real capture's 346 s x 250 passes, about a day). Written once and
/// reused (perf/results/tmp/ is ignored by git).
/// </summary>
public static class DayCapture
{
    public const long DayFrames = 10_300_000;

    public static string DefaultPath => Path.Combine(RepoRoot(), "perf", "results", "tmp", "binance-spot-btcusdt-day.gz");

    public static int Run(string[] args)
    {
        long frames = HarnessArgs.Long(args, "--frames", DayFrames);
        string path = HarnessArgs.Value(args, "--out") ?? DefaultPath;
        Ensure(path, frames, force: true);
        return 0;
    }

    /// <summary>Writes the capture unless a file of that many frames is already there.</summary>
    public static string Ensure(string path, long frames, bool force = false)
    {
        string marker = path + ".frames";
        if (!force && File.Exists(path) && File.Exists(marker) && File.ReadAllText(marker).Trim() == frames.ToString(System.Globalization.CultureInfo.InvariantCulture)) return path;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var sw = Stopwatch.StartNew();
        Console.Error.WriteLine($"capture-day: writing {frames:N0} frames of the looped real spot capture to {path} ...");
        long written = CaptureWriter.WriteAsync(new CaptureMarketSource(FixtureTrades.BinanceSpotCapture, loop: true), path, frames).GetAwaiter().GetResult();
        File.WriteAllText(marker, frames.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Console.Error.WriteLine($"capture-day: {written:N0} frames, {new FileInfo(path).Length / 1e6:F1} MB gzip, in {sw.Elapsed.TotalSeconds:F1} s");
        return path;
    }

    private static string RepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "TickEngine.sln"))) d = d.Parent;
        return d?.FullName ?? Directory.GetCurrentDirectory();
    }
}
