using System.CommandLine;
using System.Diagnostics;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Sinks;

namespace TickEngine.Cli.Commands;

/// <summary><c>db load</c>: fills database sinks (or any sink) from an existing data root, resumably.</summary>
public static class DbCommand
{
    public const string Summary = "fill a database (or any sink) from an existing data root: every committed row once, resumable, sessions too";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("db", Summary, """
            `db load` gives every committed row of the data root's segments to each --sink, from each stream's
            beginning, through the same sink runner a recording uses: rows and the segment's watermark are kept in
            one transaction, so a load stopped at any point (Ctrl+C, SIGTERM, SIGKILL, the database down) and run
            again goes on from the watermarks and never doubles a row. The root's sessions are written to the
            sinks that keep sessions (tickengine_sessions). Nothing is recorded; the root is locked for the load.

            Examples:
              tickengine db load --data data --sink "postgres:Host=127.0.0.1;Port=5432;Username=ticks;Database=ticks"
              tickengine db load --data data --sink sqlite:ticks.db
            """);
        var load = new Command("load", "every committed row of the data root into each --sink, resumably");
        var data = Vocabulary.Data("the data root");
        var sinks = new Option<string[]>("--sink") { Description = "a sink (postgres:CONNECTION-STRING, sqlite:FILE, parquet:DIR), repeatable", HelpName = "NAME:ARGS", Arity = ArgumentArity.OneOrMore };
        var quiet = new Option<bool>("--quiet") { Description = "print only errors" };
        data.AddTo(load);
        load.Options.Add(sinks);
        load.Options.Add(quiet);
        load.SetAction(r =>
        {
            string root = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root");
            if (!Directory.Exists(root)) throw new UsageException($"--data {root}: no such directory");
            var given = RecordCommand.ParseSinks(r.GetValue(sinks));
            if (given.Count == 0) throw new UsageException("--sink is required: where the rows go (postgres:..., sqlite:FILE)");
            var regs = given.Select(g => g with { Options = g.Options with { Start = SinkStart.Beginning } }).ToList();
            var sw = Stopwatch.StartNew();
            var p = new RecordPipeline(RecordOptions.ForCapture(root) with { Sinks = regs });
            p.Start();
            p.Stop(ctx.Cancel);
            var stats = p.Statistics();
            int failed = 0;
            foreach (var s in stats.Sinks)
            {
                bool done = s.State == SinkState.Done && s.LagRows == 0;
                if (!done) failed++;
                if (!r.GetValue(quiet) || !done)
                    ctx.Error.WriteLine($"db load: {s.Target}: {s.RowsDurable:N0} rows held, {s.LagRows:N0} behind, {s.State}{(s.LastError is { } e ? $" ({e})" : "")}");
            }
            var sessions = Engine.Sessions.CaptureSession.List(root);
            foreach (var reg in regs)
                if (reg.Sink is Engine.Sessions.ISessionStore store)
                    foreach (var session in sessions)
                    {
                        try { store.WriteSession(session); }
                        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException or TimeoutException)
                        { ctx.Error.WriteLine($"tickengine db load: warning: session {session.Id} not written to {reg.Sink.Target}: {e.Message}"); failed++; break; }
                    }
            if (!r.GetValue(quiet)) ctx.Error.WriteLine($"db load: {sessions.Count} session(s); {sw.Elapsed.TotalSeconds:F2} s");
            if (ctx.Cancel.IsCancellationRequested) { ctx.Error.WriteLine("tickengine db load: stopped: run it again to go on from where each sink stands"); return 1; }
            return failed > 0 ? 1 : 0;
        });
        cmd.Subcommands.Add(load);
        return cmd;
    }
}
