using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;


namespace TickEngine.Benchmarks.Service;

/// <summary>
/// <c>service-subscribers [--subscribers 1000] [--seconds 20] [--rate 2000]</c>: <c>tickengine service</c> (the
/// simulator) as a child process, run twice in the same session: once with no subscriber, once with N WebSocket
/// subscribers of the trades stream on loopback. Reports the delivery latency (HDR, µs: the client's clock at a
/// message against the row's receive time, taken when the simulator's frame arrived; the stream carries committed
/// rows, so the commit interval is in it), every subscriber's count and gaps, the service's resident memory, and the
/// capture's own figures (frames/s, committed trades/s, ring backlog) in both runs.
/// </summary>
public static class SubscribersHarness
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "tickengine.dll");

    public static int Run(string[] args)
    {
        int n = (int)HarnessArgs.Long(args, "--subscribers", 1000);
        int seconds = (int)HarnessArgs.Long(args, "--seconds", 20);
        int rate = (int)HarnessArgs.Long(args, "--rate", 2000);
        Console.WriteLine($"service-subscribers: {n} WebSocket subscribers of binance/BTCUSDT trades, {seconds} s measured, simulator at {rate:N0} msgs/s");
        var baseline = Once(0, seconds, rate);
        var loaded = Once(n, seconds, rate);
        Console.WriteLine();
        Console.WriteLine($"{"run",-22} {"frames/s",10} {"trades/s",10} {"ring backlog max",17} {"service RSS",12}");
        foreach (var (name, r) in new[] { ("no subscriber", baseline), ($"{n} subscribers", loaded) })
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-22} {r.FramesPerS,10:N0} {r.TradesPerS,10:N0} {r.MaxBacklog,17:N0} {r.RssMb,9:N0} MB"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio (subscribers / none): frames/s x{loaded.FramesPerS / baseline.FramesPerS:F3}, trades/s x{loaded.TradesPerS / baseline.TradesPerS:F3}"));
        return 0;
    }

    private sealed record Result(double FramesPerS, double TradesPerS, long MaxBacklog, double RssMb);

    private static int FreePort() => TickEngine.Tests.Shared.LoopbackPorts.Free();

    private static Result Once(int subscribers, int seconds, int rate)
    {
        string root = Path.Combine(Path.GetTempPath(), "te-subs-" + Guid.NewGuid().ToString("N"));
        int port = FreePort();
        var psi = new ProcessStartInfo("dotnet", [Cli, "service", "--exchange", "sim", "--symbol", "BTCUSDT", "--data", root, "--port", port.ToString(CultureInfo.InvariantCulture),
            "--rate", rate.ToString(CultureInfo.InvariantCulture), "--max-subscribers", (subscribers + 10).ToString(CultureInfo.InvariantCulture), "--rate-limit", "0", "--duration", (seconds + 30).ToString(CultureInfo.InvariantCulture)])
        { RedirectStandardError = true, RedirectStandardOutput = true };
        using var svc = Process.Start(psi)!;
        svc.ErrorDataReceived += (_, _) => { };
        svc.BeginErrorReadLine();
        svc.BeginOutputReadLine();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var wait = Stopwatch.StartNew();
        while (true)
        {
            try { if ((bool)JsonNode.Parse(http.GetStringAsync("/health").Result)!["ready"]!) break; }
            catch (AggregateException) { }
            if (wait.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("the service did not become ready");
            Thread.Sleep(100);
        }
        using var stop = new CancellationTokenSource();
        bool measuring = false;
        var histograms = new TickEngine.Engine.Metrics.HdrHistogram[subscribers];
        var counts = new long[subscribers];
        var gaps = new long[subscribers];
        var tasks = new List<Task>();
        for (int i = 0; i < subscribers; i++)
        {
            int k = i;
            histograms[k] = new TickEngine.Engine.Metrics.HdrHistogram(1, 60_000_000, 3);
            tasks.Add(Task.Run(async () =>
            {
                using var ws = new ClientWebSocket();
                await ws.ConnectAsync(new Uri($"ws://127.0.0.1:{port}/api/v1/binance/BTCUSDT/trades/stream"), stop.Token);
                var buffer = new byte[1 << 14];
                long last = -1;
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        int got = 0;
                        WebSocketReceiveResult r;
                        do
                        {
                            r = await ws.ReceiveAsync(new ArraySegment<byte>(buffer, got, buffer.Length - got), stop.Token);
                            got += r.Count;
                        } while (!r.EndOfMessage && got < buffer.Length);
                        if (r.MessageType == WebSocketMessageType.Close) break;
                        long now = NowNs();
                        var text = buffer.AsSpan(0, got);
                        long seq = Field(text, "\"seq\":"u8), received = Field(text, "\"receive_time_ns\":"u8);
                        if (last >= 0 && seq != last + 1) gaps[k]++;
                        last = seq;
                        if (!Volatile.Read(ref measuring)) continue;
                        counts[k]++;
                        histograms[k].RecordValue(Math.Max(1, (now - received) / 1000));
                    }
                }
                catch (Exception e) when (e is OperationCanceledException or WebSocketException or AggregateException) { }
            }));
        }
        Thread.Sleep(2_000); // the subscriptions made, the warm-up over
        var before = JsonNode.Parse(http.GetStringAsync("/api/v1/status").Result)!;
        Volatile.Write(ref measuring, true);
        var clock = Stopwatch.StartNew();
        long maxBacklog = 0;
        double rssMb = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            Thread.Sleep(500);
            var m = http.GetStringAsync("/metrics").Result;
            foreach (var line in m.Split('\n'))
                if (line.StartsWith("tickengine_ring_backlog ", StringComparison.Ordinal)) maxBacklog = Math.Max(maxBacklog, (long)double.Parse(line[24..], CultureInfo.InvariantCulture));
            rssMb = Math.Max(rssMb, Rss(svc.Id));
        }
        var after = JsonNode.Parse(http.GetStringAsync("/api/v1/status").Result)!;
        double s = clock.Elapsed.TotalSeconds;
        stop.Cancel();
        Task.WaitAll(tasks.ToArray(), TimeSpan.FromSeconds(10));
        double frames = ((long)after["frames"]! - (long)before["frames"]!) / s, trades = ((long)after["committed"]!["trades"]! - (long)before["committed"]!["trades"]!) / s;
        if (subscribers > 0)
        {
            var all = new TickEngine.Engine.Metrics.HdrHistogram(1, 60_000_000, 3);
            foreach (var h in histograms) all.Add(h);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{subscribers} subscribers: {counts.Sum():N0} messages in {s:F1} s ({counts.Min():N0}..{counts.Max():N0} each), gaps {gaps.Sum()}, dropped {(long)after["streams"]!["dropped"]!}; delivery latency µs p50 {all.ValueAtPercentile(50):N0}, p99 {all.ValueAtPercentile(99):N0}, p99.9 {all.ValueAtPercentile(99.9):N0}, max {all.Max:N0}"));
        }
        try { svc.Kill(); svc.WaitForExit(10_000); } catch (InvalidOperationException) { }
        try { Directory.Delete(root, true); } catch (IOException) { }
        return new Result(frames, trades, maxBacklog, rssMb);
    }

    private static long NowNs()
    {
        // The wall clock to the tick (100 ns), as the service's receive times are.
        return (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
    }

    private static long Field(ReadOnlySpan<byte> text, ReadOnlySpan<byte> name)
    {
        int i = text.IndexOf(name);
        if (i < 0) return -1;
        long v = 0;
        for (int j = i + name.Length; j < text.Length && text[j] >= '0' && text[j] <= '9'; j++) v = v * 10 + (text[j] - '0');
        return v;
    }

    private static double Rss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        }
        catch (IOException) { }
        return 0;
    }
}
