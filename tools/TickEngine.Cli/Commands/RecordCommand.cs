using System.Globalization;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Pipeline;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary><c>record</c>: frames through the capture engine into segments.</summary>
public static class RecordCommand
{
    public const string Usage = """
        usage: tickengine record --exchange binance|binance-futures|sim --symbols BTCUSDT,ETHUSDT --out ROOT
                                 [--types l2,trades,ohlcv,deltas] [--depth 5] [--interval 1.0] [--duration SECONDS]
                                 [--summary-json FILE] [--quiet] [--ws-url URL --rest-url URL] [--api-key-file FILE]
                                 [--sim-capture FILE] [--sim-speed X] [--sim-rate N]
               tickengine record --from-capture FILE --exchange binance|binance-futures --out ROOT [...]
          --exchange      binance (spot), binance-futures (USD-M), or sim: the built-in exchange simulator on
                          loopback, playing --sim-capture (a Binance capture, looped, at --sim-speed; 1 = as
                          recorded) or, without it, a synthetic market of --symbols at --sim-rate messages/s
          --duration      stop after this many seconds; without it, record until Ctrl+C or SIGTERM (a clean stop:
                          every handler flushes and every segment is sealed)
          --ws-url/--rest-url  other endpoints (a test exchange, a replay server)
          --api-key-file  an exchange API key, sent with REST requests (X-MBX-APIKEY); or set TICKENGINE_API_KEY.
                          Market data needs none. Never printed, never written to a summary.
          --from-capture  a raw capture: '<receive ns> <frame>' lines (hftbacktest) or cryptofeed JSON lines,
                          gzip or not; run through the same pipeline as a live feed, at full speed
          --types         what to write (default all four); status markers (gaps, resyncs) are always written
          --depth         L2 levels per side (1..50); --interval: L2 sampling interval in seconds
          --symbol        the symbol of REST snapshots that carry none (single-symbol captures)
          --summary-json  write the run's counters as JSON (they are printed at the end of every run too)
        """;

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        var p = new ArgParser(args, ["--from-capture", "--exchange", "--out", "--types", "--depth", "--interval", "--symbol", "--summary-json", "--symbols", "--duration", "--ws-url", "--rest-url", "--sim-capture", "--sim-speed", "--sim-rate", "--api-key-file"], ["--quiet"]);
        if (p.Help) { ctx.Out.Write(Usage); return 0; }
        if (p.Positionals.Count > 0) throw new UsageException($"unexpected argument '{p.Positionals[0]}'");
        string exchange = p.Required("--exchange");
        string? capture = p.Value("--from-capture");
        if (capture is null) return LiveRecord.Run(p, exchange, ctx);
        if (exchange is not ("binance" or "binance-futures")) throw new UsageException($"--exchange must be binance or binance-futures with --from-capture, got '{exchange}'");
        if (!File.Exists(capture)) throw new UsageException($"{capture}: no such file");
        string root = p.Required("--out");
        if (File.Exists(root)) throw new UsageException($"--out {root} is a file; give a data root directory");
        var types = ParseTypes(p.Value("--types") ?? "l2,trades,ohlcv,deltas");
        int depth = p.Int("--depth", SegmentSchema.DefaultDepth, 1, SegmentSchema.MaxDepth);
        double interval = p.Double("--interval", 1.0, 0.001, 86_400);
        string? summaryPath = p.Value("--summary-json");
        if (summaryPath is not null && Directory.Exists(summaryPath)) throw new UsageException($"--summary-json {summaryPath} is a directory");
        bool quiet = p.Flag("--quiet");

        var options = new RecordOptions
        {
            Root = root,
            Exchange = exchange,
            Types = types,
            Depth = depth,
            IntervalNs = (long)Math.Round(interval * 1e9),
            DefaultSymbol = p.Value("--symbol")?.ToUpperInvariant(),
            WallClockFlush = false, // a capture file: blocks cut by receive time only, the same bytes every run
        };
        var pipeline = new RecordPipeline(options);
        var source = new CaptureFileSource(capture, pipeline.Adapter);
        pipeline.Start();
        Exception? failure = null;
        try
        {
            source.RunAsync(ctx.Cancel).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: a clean stop below.
        }
        catch (IOException e)
        {
            failure = e;
        }
        finally
        {
            pipeline.Stop();
        }
        var summary = pipeline.Summary();
        summary["capture_lines"] = source.Lines;
        summary["capture_format"] = source.Format?.ToString() ?? "empty";
        var faults = pipeline.Faults.ToList();
        summary["handler_faults"] = faults.Select(f => $"{f.Handler}: {f.Fault.Message}").ToArray();
        if (summaryPath is not null)
        {
            string? dir = Path.GetDirectoryName(Path.GetFullPath(summaryPath));
            if (dir is not null) Directory.CreateDirectory(dir);
            File.WriteAllText(summaryPath, JsonSerializer.Serialize(summary, new JsonSerializerOptions { WriteIndented = true }));
        }
        if (!quiet) PrintSummary(summary, ctx.Error);
        foreach (var (handler, fault) in faults) ctx.Error.WriteLine($"tickengine record: error: {handler}: {fault.Message}");
        if (failure is not null) throw new InputException(failure.Message);
        if (faults.Count > 0) return 1;
        return 0;
    }

    public static IReadOnlySet<SchemaKind> ParseTypes(string text)
    {
        var set = new HashSet<SchemaKind>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!SegmentSchema.TryParseName(part, out var kind) || kind == SchemaKind.Status)
                throw new UsageException($"--types takes l2, trades, ohlcv (or bars) and deltas, got '{part}'");
            set.Add(kind);
        }
        if (set.Count == 0) throw new UsageException("--types is empty");
        return set;
    }

    private static void PrintSummary(Dictionary<string, object> s, TextWriter o)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine("record: done");
        foreach (var (k, v) in s)
        {
            if (v is Array a)
            {
                if (a.Length == 0) continue;
                o.WriteLine($"  {k}:");
                foreach (var item in a) o.WriteLine($"    {item}");
                continue;
            }
            o.WriteLine(string.Format(inv, "  {0,-24} {1}", k, v is long n ? n.ToString("N0", inv) : v));
        }
    }
}
