using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary>
/// <c>replay</c>: recorded rows back in time order at any speed, through the ring: a <see cref="ReplayPublisher"/>
/// on this thread publishes them as live capture publishes events, and a <see cref="ReplayPrinter"/> handler prints
/// them (with the L2 imbalance test).
/// </summary>
public static class ReplayCommand
{
    public const string Summary = "recorded rows back in time order at any speed, through the ring and a handler, one line per row";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("replay", Summary, """
            Deltas rebuild the full book from its snapshots and print the best levels after each message (the
            book is out of sync from a stored gap, or a damaged segment, until the next snapshot). --speed paces by
            the rows' own times (max never sleeps). --test-imbalance prints only the signals: BUY SIGNAL when bid/ask
            volume over the top --levels is above --buy-above, SELL SIGNAL below --sell-below, never from a book out
            of sync. A damaged segment is reported where it is met and the exit code is 1.

            Examples:
              tickengine replay --data data --schema trades --symbol BTCUSDT --speed 10
              tickengine replay --data data --schema deltas --test-imbalance --levels 5
              tickengine replay --data data/binance/BTCUSDT/l2/2024-08-08.tks --schema l2
            """);
        var schema = Spelled<string?>.Create(new Option<string?>("--schema") { Description = Vocabulary.Schemas(withStatus: false), HelpName = "S" }, ["--type"]);
        var data = Vocabulary.Data("a data root, or one segment file (only that file is replayed)", "--file");
        var symbol = Vocabulary.Symbol("only these symbols");
        var exchange = Vocabulary.Exchange("only these exchanges");
        var start = Vocabulary.Time("--start", "first time to replay (epoch ms or ISO-8601)");
        var end = Vocabulary.Time("--end", "replay up to this time (exclusive)");
        var speed = new Option<string>("--speed") { Description = $"times real time ({Pacer.MinSpeed} to {Pacer.MaxSpeed}), or max (default)", HelpName = "X|max", DefaultValueFactory = _ => "max" };
        var clock = new Option<string>("--clock") { Description = "order by exchange (default) or receive time", HelpName = "exchange|receive", DefaultValueFactory = _ => "exchange" };
        clock.AcceptOnlyFromAmong("exchange", "receive");
        var test = Vocabulary.Flag("--test-imbalance", "print only BUY/SELL SIGNAL lines from the top-N bid/ask volume ratio");
        var levels = Vocabulary.Int("--levels", "levels per side for the imbalance test", 5, 1, SegmentSchema.MaxDepth);
        var buy = Vocabulary.Number("--buy-above", "BUY SIGNAL above this bid/ask volume ratio (default 3.0)", 0, 1e9);
        var sell = Vocabulary.Number("--sell-below", "SELL SIGNAL below this ratio (default 0.33)", 0, 1e9);
        var quiet = Vocabulary.Flag("--quiet", "print only the summary line");
        schema.AddTo(cmd); data.AddTo(cmd); symbol.AddTo(cmd); exchange.AddTo(cmd);
        foreach (var o in new Option[] { start, end, speed, clock, test, levels, buy, sell, quiet }) cmd.Options.Add(o);
        cmd.SetAction(r =>
        {
            string schemaText = schema.Get(r, ctx.Error) ?? throw new UsageException($"--schema is required: {Vocabulary.Schemas(withStatus: false)}");
            if (!SegmentSchema.TryParseName(schemaText, out var type) || type == SchemaKind.Status) throw new UsageException($"--schema must be {Vocabulary.Schemas(withStatus: false)}, got '{schemaText}'");
            string path = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: a data root or a segment file");
            long from = r.GetValue(start) ?? long.MinValue, to = r.GetValue(end) ?? long.MaxValue;
            if (to <= from) throw new UsageException("--end must be after --start");
            string speedText = r.GetValue(speed)!;
            double pace = speedText == "max" ? 0
                : double.TryParse(speedText, NumberStyles.Float, CultureInfo.InvariantCulture, out double sp) && sp >= Pacer.MinSpeed && sp <= Pacer.MaxSpeed ? sp
                : throw new UsageException($"--speed must be max or a number from {Pacer.MinSpeed} to {Pacer.MaxSpeed} (times real time), got '{speedText}'");
            bool imbalance = r.GetValue(test), q = r.GetValue(quiet);
            if (imbalance && type is SchemaKind.Trades or SchemaKind.Bars) throw new UsageException("--test-imbalance needs --schema l2 or deltas");
            var signal = new ImbalanceSignal(r.GetValue(levels), (decimal)(r.GetValue(buy) ?? 3.0), (decimal)(r.GetValue(sell) ?? 0.33));
            var selection = new ReplaySelection
            {
                Schemas = type == SchemaKind.Deltas ? new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.Status } : new HashSet<SchemaKind> { type },
                Symbols = symbol.Get(r, ctx.Error),
                Exchanges = exchange.Get(r, ctx.Error),
                StartNs = from,
                EndNs = to,
                Clock = r.GetValue(clock) == "receive" ? ReplayClock.Receive : ReplayClock.Exchange,
                Damage = DamagePolicy.Report,
            };
            if (File.Exists(path)) selection = selection with { Files = SegmentFiles(path, type) };
            else if (Directory.Exists(path)) selection = selection with { Root = path };
            else throw new UsageException($"--data {path}: no such file or directory");
            return Run(selection, type, pace, imbalance, q, signal, path, ctx);
        });
        return cmd;
    }

    /// <summary>A segment given alone: it, and for deltas the status segment of the same day beside it (its gap markers).</summary>
    private static List<string> SegmentFiles(string file, SchemaKind type)
    {
        var files = new List<string> { file };
        if (type == SchemaKind.Deltas)
        {
            var dir = new FileInfo(Path.GetFullPath(file)).Directory;
            string status = Path.Combine(dir?.Parent?.FullName ?? "", "status", Path.GetFileName(file));
            if (dir?.Name == "deltas" && File.Exists(status)) files.Add(status);
        }
        return files;
    }

    private static int Run(ReplaySelection selection, SchemaKind type, double speed, bool imbalance, bool quiet, ImbalanceSignal signal, string path, CliContext ctx)
    {
        using var reader = new ReplayReader(selection);
        foreach (var link in reader.SkippedLinks.Distinct()) ctx.Error.WriteLine($"note: {link} is a symbolic link: not followed");
        if (reader.SegmentCount == 0) throw new InputException($"{path}: no {SegmentSchema.NameOf(type)} segments match");
        var registry = new InstrumentRegistry();
        var output = new StreamWriter(ctx.OpenStandardOutput(), new System.Text.UTF8Encoding(false), 1 << 16) { AutoFlush = false };
        var printer = new ReplayPrinter(output, registry, type, imbalance, quiet, signal);
        var wall = Stopwatch.StartNew();
        var outcome = ReplayToRing.Run(reader, registry, printer, speed, cancel: ctx.Cancel);
        var failure = outcome.Stopped;
        double seconds = wall.Elapsed.TotalSeconds;
        long events = outcome.Events;
        output.WriteLine(string.Format(CultureInfo.InvariantCulture, "replay: {0:N0} events, span {1} .. {2}, wall {3:F3} s, {4:N0} events/s{5}",
            events, events > 0 ? TimeText.FormatIso(outcome.FirstTimestamp) : "-", events > 0 ? TimeText.FormatIso(outcome.LastTimestamp) : "-", seconds, events / Math.Max(seconds, 1e-9),
            imbalance ? $", signals {signal.Buys + signal.Sells:N0} (buy {signal.Buys:N0}, sell {signal.Sells:N0}) of {signal.Evaluated:N0} books" : ""));
        output.Flush();
        if (failure is not null) throw new InputException($"{failure.Message}; {events:N0} events were replayed before it");
        if (reader.Damage.Count > 0)
        {
            foreach (var d in reader.Damage) ctx.Error.WriteLine($"tickengine replay: error: damaged segment: {d.Message}");
            ctx.Error.WriteLine($"tickengine replay: {reader.Damage.Count} damaged segment(s): rows past the damage were not replayed ({events:N0} events were)");
            return 1;
        }
        if (ctx.Cancel.IsCancellationRequested) ctx.Error.WriteLine("replay: stopped by Ctrl+C or SIGTERM");
        return 0;
    }
}
