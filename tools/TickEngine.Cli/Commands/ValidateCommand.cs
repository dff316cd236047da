using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TickEngine.Cli.CommandLine;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Engine.Validation;

namespace TickEngine.Cli.Commands;

/// <summary>
/// <c>validate</c>: a data-quality report over recorded segments, by the engine's <see cref="Validator"/> (each
/// schema's rules are its definition's). <b>Problems</b> (exit 1) are defects: damaged
/// blocks, ids missing outside stored markers, duplicates, crossed or non-positive prices, broken OHLCV rules, bars
/// that disagree with their trades, times out of order, exchange times far from the receive time. <b>Observations</b>
/// are printed but do not fail the run: quiet spells (time gaps, with ids contiguous around them or ids missing
/// across a stored disconnect) and clock skew within the tolerance. <c>--strict</c> counts observations as problems.
/// </summary>
public static class ValidateCommand
{
    public const string Summary = "a data-quality report per exchange, symbol and schema; exit 1 when a problem is found (to gate a pipeline)";

    /// <summary>Exchange time further than this from the receive time is a problem (the recorder's default bound too).</summary>
    public static TimeSpan DefaultSkewTolerance => ValidationOptions.DefaultSkewTolerance;

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("validate", Summary, """
            Problems: checksums and structure; zero or negative prices and quantities; crossed L2 books; trade-id
            duplicates, and gaps outside stored disconnects; update-id gaps in deltas outside stored gap markers;
            times out of order; exchange times more than --skew-tolerance from the receive time; OHLCV rules; bars
            that disagree with their trades. Observations (printed, exit 0): time gaps longer than --max-gap (a quiet
            market, ids contiguous around them), ids missing across a stored disconnect, and a median receive −
            exchange skew above 1 s. --strict fails on observations too.

            Examples:
              tickengine validate --data data
              tickengine validate --data data --json --strict --max-gap 500ms
            """);
        var path = new Argument<string?>("path") { Hidden = true, Arity = ArgumentArity.ZeroOrOne };
        var data = Vocabulary.Data("a segment file or a data root");
        var json = Vocabulary.Json();
        var maxGap = Vocabulary.Duration("--max-gap", "report quiet spells longer than this (default 2s)");
        var tolerance = Vocabulary.Duration("--skew-tolerance", "exchange time further than this from receive time is a problem (default 5m)");
        var examples = Vocabulary.Int("--max-examples", "examples kept per kind", 5, 0, 1000);
        var strict = Vocabulary.Flag("--strict", "count observations as problems");
        cmd.Arguments.Add(path);
        data.AddTo(cmd);
        foreach (var o in new Option[] { json, maxGap, tolerance, examples, strict }) cmd.Options.Add(o);
        cmd.SetAction(r => Run(Paths.DataOrPositional(data, path, r, ctx), r.GetValue(json), (long)(r.GetValue(maxGap) ?? TimeSpan.FromSeconds(2)).TotalMilliseconds * 1_000_000,
            (long)(r.GetValue(tolerance) ?? DefaultSkewTolerance).TotalMilliseconds * 1_000_000, r.GetValue(examples), r.GetValue(strict), ctx));
        return cmd;
    }

    public static int Run(string path, bool json, long maxGap, long tolerance, int maxExamples, bool strict, CliContext ctx)
    {
        List<string> files;
        var skipped = new List<string>();
        if (File.Exists(path)) files = [path];
        else if (Directory.Exists(path)) files = DataRoot.FindSegments(path, skipped: skipped);
        else throw new UsageException($"--data {path}: no such file or directory");
        foreach (var link in skipped) ctx.Error.WriteLine($"note: {link} is a symbolic link: not followed");
        if (files.Count == 0) throw new InputException($"{path}: no segments (*.tks) found");
        ValidationReport result;
        try { result = Validator.Run(files, new ValidationOptions { MaxGapNs = maxGap, ToleranceNs = tolerance, MaxExamples = maxExamples }, ctx.Cancel); }
        catch (OperationCanceledException) { throw new InputException("stopped by Ctrl+C or SIGTERM: the report is incomplete"); }
        if (ctx.Cancel.IsCancellationRequested) throw new InputException("stopped by Ctrl+C or SIGTERM: the report is incomplete");
        var ordered = result.Series;
        long problems = result.Problems;
        long observations = result.Observations;
        long failing = problems + (strict ? observations : 0);
        if (json)
        {
            var report = ordered.Select(s => new Dictionary<string, object?>
            {
                ["exchange"] = s.Exchange,
                ["symbol"] = s.Symbol,
                ["schema"] = SegmentSchema.NameOf(s.Kind),
                ["rows"] = s.Rows,
                ["problems"] = s.Problems,
                ["observations"] = s.Observations,
                ["examples"] = s.Examples,
                ["skew_ns"] = s.Skew(),
            }).ToList();
            ctx.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?> { ["path"] = path, ["problems"] = problems, ["observations"] = observations, ["strict"] = strict, ["series"] = report },
                new JsonSerializerOptions { WriteIndented = true }));
        }
        else
        {
            var inv = CultureInfo.InvariantCulture;
            foreach (var s in ordered)
            {
                string state = s.Problems.Count == 0 ? "ok" : "PROBLEMS: " + string.Join(", ", s.Problems.Select(kv => $"{kv.Key} {kv.Value:N0}"));
                if (s.Observations.Count > 0) state += "; observed: " + string.Join(", ", s.Observations.Select(kv => $"{kv.Key} {kv.Value:N0}"));
                ctx.Out.WriteLine(string.Format(inv, "{0}/{1} {2}: {3:N0} rows, {4}", s.Exchange, s.Symbol, SegmentSchema.NameOf(s.Kind), s.Rows, state));
                if (s.Skew() is { } sk) ctx.Out.WriteLine(string.Format(inv, "    receive - exchange time: min {0:N3} ms, median {1:N3} ms, p99 {2:N3} ms, max {3:N3} ms", sk["min"] / 1e6, sk["median"] / 1e6, sk["p99"] / 1e6, sk["max"] / 1e6));
                foreach (var (kind, list) in s.Examples)
                    foreach (var e in list) ctx.Out.WriteLine($"    {kind}: {e}");
            }
            ctx.Out.WriteLine($"validate: {files.Count} segments, {(problems == 0 ? "no problems" : $"{problems:N0} problems")}, {observations:N0} observations{(strict && observations > 0 ? " (--strict: they count as problems)" : "")}");
        }
        return failing == 0 ? 0 : 1;
    }
}
