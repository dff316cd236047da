using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Pipeline;

namespace TickEngine.Cli.Commands;

/// <summary>
/// <c>record --capture FILE...</c> with a real exchange name: capture files through the record pipeline at full
/// speed, one after the other in time order, into one pipeline (so a book continues from one day's file into the
/// next). Blocks are cut only when full and every handler runs on one consumer thread: the same bytes every run.
/// </summary>
public static class CaptureRecord
{
    public static int Run(RecordCommand.Args a, CliContext ctx)
    {
        if (a.Exchanges.Count != 1 || a.Exchanges[0] is not ("binance" or "binance-futures"))
            throw new UsageException($"--exchange must be binance or binance-futures with --capture files, got '{string.Join(",", a.Exchanges)}'");
        if (a.Duration is not null) throw new UsageException("--duration applies to live recording; a capture is recorded to its end (Ctrl+C stops it cleanly)");
        if (a.Speed is not null || a.Rate is not null) throw new UsageException("--speed and --rate are for the simulator (--exchange sim); a capture is recorded at full speed");
        if (a.Symbols.Count > 1) throw new UsageException("--symbol with --capture names the one symbol that REST snapshots without a URL belong to");
        var files = CaptureFiles.Resolve(a.Captures);
        var options = RecordOptions.ForCapture(a.Root) with
        {
            Exchange = a.Exchanges[0],
            Types = a.Schemas,
            Depth = a.Depth,
            IntervalNs = (long)Math.Round(a.Interval.TotalMilliseconds * 1_000_000),
            DefaultSymbol = a.Symbols.Count == 1 ? a.Symbols[0].ToUpperInvariant() : null,
        };
        var pipeline = new RecordPipeline(options);
        long lines = 0;
        var formats = new List<string>();
        pipeline.Start();
        Exception? failure = null;
        try
        {
            foreach (var file in files)
            {
                if (ctx.Cancel.IsCancellationRequested) break;
                if (!a.Quiet && files.Count > 1) ctx.Error.WriteLine($"record: {file}");
                var source = new CaptureFileSource(file, pipeline.Adapter);
                try
                {
                    source.Run(ctx.Cancel);
                }
                finally
                {
                    lines += source.Lines;
                    formats.Add(source.Format?.ToString() ?? "empty");
                }
            }
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
        var stats = pipeline.Statistics();
        stats.CaptureLines = lines;
        stats.CaptureFormat = string.Join(",", formats.Distinct());
        RecordCommand.WriteSummary(a.SummaryJson, stats);
        if (!a.Quiet) stats.Print(ctx.Error, "record: done");
        foreach (var fault in stats.HandlerFaults) ctx.Error.WriteLine($"tickengine record: error: {fault}");
        if (failure is not null) throw new InputException(failure.Message);
        return stats.HandlerFaults.Count > 0 ? 1 : 0;
    }
}
