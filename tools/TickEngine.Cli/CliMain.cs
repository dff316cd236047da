using TickEngine.Cli.CommandLine;
using TickEngine.Cli.Commands;
using TickEngine.Storage.Format;

namespace TickEngine.Cli;

/// <summary>
/// The <c>tickengine</c> entry point: dispatches verbs and turns every failure into a one-line message and an
/// exit code (0 success, 1 bad data or a failed run, 2 bad command line). No stack trace reaches the user.
/// </summary>
public static class CliMain
{
    public const string Usage = """
        usage: tickengine <verb> [options]     (tickengine <verb> --help for a verb's options)
          record    record exchange frames (a capture file or a live feed) into segments
          export    segments to CSV or JSON lines
          import    CSV (TickEngine or Tardis layouts) into segments
          inspect   what a segment holds, its size and whether it is intact
          validate  a data-quality report (gaps, bad prices, crossed books, id gaps, skew, bars); exit 1 on problems
          replay    recorded rows back in time order at any speed (with the L2 imbalance test)
          serve     a recording served as a Binance-compatible market on loopback
          sim       the built-in exchange simulator (Binance protocol on loopback)
          bench     end-to-end latency (per-stage HDR histograms) and throughput over loopback
        """;

    public static int Run(string[] args, CliContext ctx)
    {
        if (args.Length == 0 || args[0] is "--help" or "-h" or "help")
        {
            (args.Length == 0 ? ctx.Error : ctx.Out).Write(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        TextWriter stderr = ctx.Error;
        string verb = args[0];
        var rest = args.Skip(1).ToArray();
        try
        {
            return verb switch
            {
                "export" => ExportCommand.Run(rest, ctx),
                "import" => ImportCommand.Run(rest, ctx),
                "inspect" => InspectCommand.Run(rest, ctx),
                "record" => RecordCommand.Run(rest, ctx),
                "sim" => SimCommand.Run(rest, ctx),
                "replay" => ReplayCommand.Run(rest, ctx),
                "serve" => ServeCommand.Run(rest, ctx),
                "validate" => ValidateCommand.Run(rest, ctx),
                "bench" => BenchCommand.Run(rest, ctx),
                _ => throw new UsageException($"unknown verb '{verb}'"),
            };
        }
        catch (UsageException e)
        {
            ctx.Error.WriteLine($"tickengine {verb}: {e.Message}");
            ctx.Error.WriteLine($"run 'tickengine {(IsVerb(verb) ? verb + " " : "")}--help' for usage");
            return 2;
        }
        catch (Exception e) when (e is InputException or StorageFormatException or IOException or UnauthorizedAccessException)
        {
            // Bad data, a damaged file, a full disk, a path we may not write: one line, no stack trace.
            stderr.WriteLine($"tickengine {verb}: error: {e.Message}");
            return 1;
        }
        catch (Exception e)
        {
            ctx.Error.WriteLine($"tickengine {verb}: internal error ({e.GetType().Name}): {e.Message}");
            return 1;
        }
    }

    private static bool IsVerb(string v) => v is "export" or "import" or "inspect" or "record" or "sim" or "replay" or "serve" or "validate" or "bench";
}
