using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using TickEngine.Cli.Reports;

namespace TickEngine.Benchmarks.Research;

/// <summary>
/// <c>chart-scale [--points N] [--runs N]</c>: the reports' charting library at scale. Writes a report page with one
/// chart of N points (a seeded random walk over 30 days, as a month's equity would be) and one of N/5 points beside a
/// line (fills over price), and renders it in headless Chromium (Debian's <c>chromium</c>) --runs times: the page's
/// size and the time from its script starting to every chart drawn (the page measures it itself,
/// <c>data-render-ms</c>), and no script error.
/// </summary>
public static class ChartHarness
{
    public static int Run(string[] args)
    {
        int points = (int)HarnessArgs.Long(args, "--points", 100_000);
        int runs = (int)HarnessArgs.Long(args, "--runs", 3);
        var rnd = new Random(1);
        long t0 = 1_722_470_400; // 2024-08-01, seconds
        double step = 30.0 * 86_400 / points, v = 0, price = 61_000;
        var walk = new List<(double, double)>(points);
        var mid = new List<(double, double)>(points);
        var buys = new List<(double, double)>();
        for (int i = 0; i < points; i++)
        {
            v += rnd.NextDouble() - 0.5;
            price += (rnd.NextDouble() - 0.5) * 5;
            double t = t0 + i * step;
            walk.Add((t, v));
            mid.Add((t, price));
            if (i % 5 == 0) buys.Add((t, price - 0.5));
        }
        string html = Charts.Page("chart scale", Charts.Lines($"{points:N0} points", "time (UTC)", "equity", [new ChartSeries("equity", walk)]) +
            Charts.Lines($"{points:N0} mid points and {buys.Count:N0} fills", "time (UTC)", "price", [new ChartSeries("mid", mid), new ChartSeries("buys", buys, SeriesStyle.Points, "#2ca02c")]));
        string path = Path.Combine(Path.GetTempPath(), $"tickengine-chart-{points}.html");
        File.WriteAllText(path, html);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"page: {new FileInfo(path).Length / 1e6:F2} MB ({points:N0} + {points:N0} + {buys.Count:N0} points; uPlot and the renderer {(Charts.Page("", "").Length) / 1e3:F0} KB of it)"));
        for (int r = 0; r < runs; r++)
        {
            var wall = Stopwatch.StartNew();
            var psi = new ProcessStartInfo("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + path])
            { RedirectStandardOutput = true, RedirectStandardError = true };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("chromium did not start (apt-get install chromium)");
            string dom = p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            string rendered = Regex.Match(dom, "data-charts-rendered=\"(\\d+)\"").Groups[1].Value;
            string ms = Regex.Match(dom, "data-render-ms=\"(\\d+)\"").Groups[1].Value;
            bool errors = Regex.IsMatch(dom, "<html[^>]*data-script-errors=");
            Console.WriteLine($"run {r + 1}: charts drawn {rendered}, script to every chart drawn {ms} ms, script errors {(errors ? "YES" : "none")}; chromium process {wall.ElapsedMilliseconds} ms wall");
            if (rendered != "2" || errors) return 1;
        }
        File.Delete(path);
        return 0;
    }
}
