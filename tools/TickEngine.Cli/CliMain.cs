using System.CommandLine;
using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Commands;
using TickEngine.Storage.Format;

namespace TickEngine.Cli;

/// <summary>
/// The <c>tickengine</c> entry point: every verb declared once on System.CommandLine (help with examples, typo
/// suggestions, shell completion through the <c>[suggest]</c> directive), and every failure turned into a
/// one-line message and an exit code: 0 success, 1 bad data or a failed run, 2 bad command line. No stack trace
/// reaches the user.
/// </summary>
public static class CliMain
{
    /// <summary>The verbs, in the order the help lists them: name, one-line summary, and how to build the command.</summary>
    private static readonly (string Name, string Summary, Func<CliContext, Command> Build)[] Verbs =
    [
        ("record", RecordCommand.Summary, RecordCommand.Build),
        ("export", ExportCommand.Summary, ExportCommand.Build),
        ("import", ImportCommand.Summary, ImportCommand.Build),
        ("inspect", InspectCommand.Summary, InspectCommand.Build),
        ("validate", ValidateCommand.Summary, ValidateCommand.Build),
        ("replay", ReplayCommand.Summary, ReplayCommand.Build),
        ("slippage", SlippageCommand.Summary, SlippageCommand.Build),
        ("backtest", BacktestCommand.Summary, BacktestCommand.Build),
        ("tune", TuneCommand.Summary, TuneCommand.Build),
        ("analyze", AnalyzeCommand.Summary, AnalyzeCommand.Build),
        ("sessions", SessionsCommand.Summary, SessionsCommand.Build),
        ("db", DbCommand.Summary, DbCommand.Build),
        ("serve", ServeCommand.Summary, ServeCommand.Build),
        ("service", ServiceCommand.Summary, ServiceCommand.Build),
        ("sim", SimCommand.Summary, SimCommand.Build),
        ("bench", BenchCommand.Summary, BenchCommand.Build),
        ("completion", CompletionCommand.Summary, CompletionCommand.Build),
    ];

    public static IReadOnlyList<string> VerbNames => Verbs.Select(v => v.Name).ToList();

    /// <summary>
    /// The command tree. Only the verb being run is built in full (<paramref name="verb"/>; null builds all, for
    /// completion): the others are listed by name and summary, which keeps start-up (and --help) fast.
    /// </summary>
    public static RootCommand Build(CliContext ctx, string? verb = null)
    {
        var root = new RootCommand("TickEngine: records exchange market data exactly into compact columnar segments, and gives it back " +
            "(CSV/JSON, replay at any speed, a served market, data-quality reports)");
        foreach (var (name, summary, build) in Verbs)
            root.Subcommands.Add(verb is null || verb == name ? build(ctx) : new Command(name, summary));
        Verb.UseDetailedHelp(root);
        root.SetAction(_ =>
        {
            ctx.Error.WriteLine("usage: tickengine <verb> [options]     (tickengine <verb> --help for a verb's options and examples)");
            foreach (var (name, summary, _) in Verbs) ctx.Error.WriteLine($"  {name,-10} {summary}");
            return 2;
        });
        return root;
    }

    /// <summary>"bench latency" for the latency command (the root is left out).</summary>
    private static string CommandPath(Command c)
    {
        var names = new List<string>();
        for (Command? x = c; x is not null and not RootCommand; x = x.Parents.OfType<Command>().FirstOrDefault()) names.Add(x.Name);
        names.Reverse();
        return string.Join(' ', names);
    }

    /// <summary>Names of the command's verbs and options close to a mistyped token (edit distance, or a shared prefix).</summary>
    private static List<string> Suggest(Command command, string token)
    {
        var names = token.StartsWith('-')
            ? command.Options.Where(o => !o.Hidden).SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal))
            : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
        int limit = Math.Max(1, token.TrimStart('-').Length / 3);
        return names.Distinct().Select(n => (Name: n, D: Distance(n, token))).Where(x => x.D <= limit || (token.Length >= 4 && x.Name.StartsWith(token, StringComparison.Ordinal)))
            .OrderBy(x => x.D).Take(3).Select(x => x.Name).ToList();
    }

    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    public static int Run(string[] args, CliContext ctx)
    {
        // One format on every machine, whatever the locale (Program sets it for the process; a host calling Run does too).
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
        string? first = args.Length > 0 && !args[0].StartsWith('-') && !args[0].StartsWith('[') ? args[0] : null;
        var root = Build(ctx, first is not null ? first : args.Length > 0 && args[0].StartsWith("[suggest", StringComparison.Ordinal) ? null : "");
        if (first is not null && root.Subcommands.All(c => c.Name != first))
        {
            var close = Suggest(root, args[0]);
            ctx.Error.WriteLine($"tickengine: unknown verb '{args[0]}'{(close.Count > 0 ? $" (did you mean {string.Join(" or ", close)}?)" : "")}");
            ctx.Error.WriteLine("run 'tickengine --help' for the verbs");
            return 2;
        }
        var result = root.Parse(args);
        string verb = result.CommandResult.Command is { } c && c != root ? c.Name : args.FirstOrDefault(a => !a.StartsWith('-')) ?? "";
        var config = new InvocationConfiguration { Output = ctx.Out, Error = ctx.Error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        if (result.Errors.Count > 0 && !Verb.IsHelp(result))
        {
            // Each error once, named after the verb, with a suggestion for a mistyped verb or option; exit code 2.
            string path = CommandPath(result.CommandResult.Command);
            string prefix = path.Length == 0 ? "tickengine" : "tickengine " + path;
            var unmatched = new HashSet<string>(result.UnmatchedTokens, StringComparer.Ordinal);
            foreach (var error in result.Errors.Select(e => e.Message).Distinct())
            {
                string line = $"{prefix}: {error.TrimEnd('.')}";
                foreach (var token in unmatched)
                {
                    if (!error.Contains($"'{token}'", StringComparison.Ordinal)) continue;
                    var close = Suggest(result.CommandResult.Command, token);
                    if (close.Count > 0) line += $" (did you mean {string.Join(" or ", close)}?)";
                    break;
                }
                ctx.Error.WriteLine(line);
            }
            ctx.Error.WriteLine($"run '{prefix} --help' for usage");
            return 2;
        }
        try
        {
            return result.Invoke(config);
        }
        catch (Engine.Replay.BookSourceException e) when (e.Ambiguous)
        {
            ctx.Error.WriteLine($"tickengine {verb}: {e.Message}");
            return 2; // the command line must say which exchange
        }
        catch (UsageException e)
        {
            ctx.Error.WriteLine($"tickengine {verb}: {e.Message}");
            ctx.Error.WriteLine($"run 'tickengine {(verb.Length > 0 ? verb + " " : "")}--help' for usage");
            return 2;
        }
        catch (Exception e) when (e is InputException or StorageFormatException or IOException or UnauthorizedAccessException or InvalidDataException or Engine.Replay.BookSourceException)
        {
            // Bad data, a damaged file, a full disk, a path we may not write: one line, no stack trace.
            ctx.Error.WriteLine($"tickengine {verb}: error: {e.Message}");
            return 1;
        }
        catch (OperationCanceledException) when (ctx.Cancel.IsCancellationRequested)
        {
            ctx.Error.WriteLine($"tickengine {verb}: stopped");
            return 1;
        }
        catch (Exception e)
        {
            ctx.Error.WriteLine($"tickengine {verb}: internal error ({e.GetType().Name}): {e.Message}");
            // A fault of ours, never of the input: TICKENGINE_TRACE=1 prints where, for a bug report.
            if (Environment.GetEnvironmentVariable("TICKENGINE_TRACE") == "1") ctx.Error.WriteLine(e.ToString());
            return 1;
        }
    }
}
