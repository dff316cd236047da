using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Capture;
using TickEngine.Storage.Format;
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
        var venues = new List<Engine.Venues.Venue>();
        foreach (var x in a.Exchanges)
        {
            var v = x == "sim" ? null : Engine.Venues.VenueRegistry.Find(x);
            if (v is null) throw new UsageException($"--exchange with --capture files names venues ({Engine.Venues.VenueRegistry.Names}), got '{x}'");
            if (venues.Contains(v)) throw new UsageException($"--exchange names {v.Name} twice");
            venues.Add(v);
        }
        if (a.Duration is not null) throw new UsageException("--duration applies to live recording; a capture is recorded to its end (Ctrl+C stops it cleanly)");
        if (a.Speed is not null || a.Rate is not null) throw new UsageException("--speed and --rate are for the simulator (--exchange sim); a capture is recorded at full speed");
        if (a.Symbols.Count > 1) throw new UsageException("--symbol with --capture names the one symbol that REST snapshots without a URL belong to");
        var files = CaptureFiles.Resolve(a.Captures);
        // Each file goes to the venue its header names (cryptofeed's first line); with one venue, a file without a
        // header is that venue's. A header naming a venue not given would record nothing useful.
        var venueOf = new Dictionary<string, int>();
        foreach (var file in files)
        {
            string? named = CaptureFileSource.HeaderExchange(file);
            int index = named is null ? (venues.Count == 1 ? 0 : -1) : venues.FindIndex(v => v.Answers(named));
            if (index < 0)
                throw new InputException(named is null
                    ? $"{file}: the capture has no header naming its exchange, and this run records {string.Join(", ", venues.Select(v => v.Name))}: record it in a run of its own venue"
                    : $"{file}: the capture's header names the exchange {named}; this run records {string.Join(", ", venues.Select(v => v.Name))}: give the capture's exchange with --exchange");
            venueOf[file] = index;
        }
        var options = RecordOptions.ForCapture(a.Root) with
        {
            Exchange = venues[0].Name,
            Types = a.Schemas,
            Depth = a.Depth,
            IntervalNs = (long)Math.Round(a.Interval.TotalMilliseconds * 1_000_000),
            DefaultSymbol = a.Symbols.Count == 1 ? a.Symbols[0].ToUpperInvariant() : null,
            Rules = RecordCommand.Rules(a.MaxClockSkew, Engine.Ingest.FrameRules.Default),
        };
        // Nothing ingested twice: a capture this root already holds is refused (--force to record it again).
        string how = $"record --capture --exchange {string.Join(",", venues.Select(v => v.Name))} --schema {string.Join(",", a.Schemas.Select(SegmentSchema.NameOf).Order())}";
        var guard = IngestGuard.Check(a.Root, files, how, a.Force, ctx);
        options = options with { Purpose = "record --capture", Sinks = a.Sinks ?? [] };
        var pipeline = new RecordPipeline(options, venues.Select(v => (v.Name, (Engine.Ingest.ISnapshotRequester?)null)).ToList());
        long lines = 0;
        var formats = new List<string>();
        pipeline.Start();
        RecordCommand.Started(a);
        guard.Started();
        Exception? failure = null;
        // Ctrl+C, SIGTERM, or a sink failing under policy stop end the run cleanly.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ctx.Cancel, pipeline.SinkStopped);
        try
        {
            for (int fileIndex = 0; fileIndex < files.Count; fileIndex++)
            {
                var file = files[fileIndex];
                if (stop.IsCancellationRequested) break;
                if (!a.Quiet && files.Count > 1) ctx.Error.WriteLine($"record: {file}");
                var source = new CaptureFileSource(file, pipeline.Adapters[venueOf[file]], fileIndex * CaptureFileSource.MaxConnections);
                try
                {
                    source.Run(stop.Token);
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
            pipeline.Stop(ctx.Cancel);
        }
        var stats = pipeline.Statistics();
        stats.CaptureLines = lines;
        stats.CaptureFormat = string.Join(",", formats.Distinct());
        RecordCommand.Finish(a, stats);
        if (!a.Quiet) stats.Print(ctx.Error, "record: done");
        foreach (var fault in stats.HandlerFaults) ctx.Error.WriteLine($"tickengine record: error: {fault}");
        RecordCommand.WarnAboutSinks(stats, ctx.Error);
        if (failure is not null) throw new InputException(failure.Message);
        if (stats.HandlerFaults.Count > 0) return 1;
        if (ctx.Cancel.IsCancellationRequested)
        {
            // Stopped on request: what was read is recorded; the ledger keeps the files as started, not done.
            ctx.Error.WriteLine("record: stopped by Ctrl+C or SIGTERM: the captures were recorded up to there");
            return 1;
        }
        // Exit 0 only when something usable was recorded, and nothing says the frames were of another market.
        var ingest = stats.Ingest;
        if (lines == 0) throw new InputException($"{string.Join(", ", files)}: the capture is empty (no lines)");
        if (ingest.WrongMarket > 0)
            throw new InputException($"{ingest.WrongMarket:N0} frames are Binance futures depth diffs (they carry pu) under --exchange {venues[0].Name}: record the capture with --exchange binance-futures");
        long rows = stats.Outputs.Where(o => o.Schema != Storage.Format.SchemaKind.Status).Sum(o => o.RowsCommitted);
        if (rows == 0)
        {
            string why = ingest.Frames == 0 ? "no frame was found"
                : ingest.Unknown + ingest.Malformed + ingest.Control >= ingest.Frames ? $"none of its {ingest.Frames:N0} frames is a {string.Join(" or ", venues.Select(v => v.Name))} frame TickEngine records ({ingest.Unknown:N0} unknown, {ingest.Malformed:N0} malformed)"
                : ingest.Syncs == 0 && ingest.DepthMessages > 0 ? "its book never synced (no REST depth snapshot matched its diffs) and it holds no trade"
                : $"of its {ingest.Frames:N0} frames none made a row of the schemas asked for";
            throw new InputException($"{string.Join(", ", files)}: nothing usable was recorded: {why}");
        }
        guard.Done(rows);
        return 0;
    }
}
