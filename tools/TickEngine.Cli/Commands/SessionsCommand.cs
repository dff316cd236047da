using System.CommandLine;
using System.Globalization;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Sessions;

namespace TickEngine.Cli.Commands;

/// <summary><c>sessions list|show</c>: the recording runs kept with a data root.</summary>
public static class SessionsCommand
{
    public const string Summary = "the recording sessions of a data root: list them, or show one (start, end, exchanges, symbols, options, counters, exit reason)";

    public static Command Build(CliContext ctx)
    {
        var cmd = Verb.Create("sessions", Summary, """
            Every `record` run is a session, kept as <root>/_sessions/<id>.json (and in the database sinks'
            tickengine_sessions table): its id (session_YYYYMMDD_HHMMSS, its start in UTC), start and end, exchanges,
            symbols, options (never a credential), counters and why it ended. A session with no end was killed (or
            is running). `export --session ID` and `analyze --session ID` take its time range, exchanges and symbols
            (a session that read capture files covers its exchanges and symbols whatever their times).

            Examples:
              tickengine sessions list --data data
              tickengine sessions show session_20261207_230745 --data data --json
            """);
        var list = new Command("list", "the sessions, oldest first: id, start, end, exchanges, symbols, rows, exit reason");
        var show = new Command("show", "one session in full");
        var id = new Argument<string>("id") { Description = "the session's id (session_YYYYMMDD_HHMMSS)" };
        show.Arguments.Add(id);
        foreach (var c in new[] { list, show })
        {
            var data = Vocabulary.Data("the data root");
            var json = Vocabulary.Json();
            data.AddTo(c);
            c.Options.Add(json);
            c.SetAction(r =>
            {
                string root = data.Get(r, ctx.Error) ?? throw new UsageException("--data is required: the data root");
                if (!Directory.Exists(root)) throw new UsageException($"--data {root}: no such directory");
                bool asJson = r.GetValue(json);
                if (c == list)
                {
                    var bad = new List<string>();
                    var all = CaptureSession.List(root, bad);
                    foreach (var b in bad) ctx.Error.WriteLine($"tickengine sessions: warning: unreadable session file {b}");
                    if (asJson)
                    {
                        ctx.Out.WriteLine(new System.Text.Json.Nodes.JsonArray(all.Select(s => (System.Text.Json.Nodes.JsonNode)s.ToJson()).ToArray()).ToJsonString());
                        return 0;
                    }
                    if (all.Count == 0) { ctx.Out.WriteLine($"no sessions in {root}"); return 0; }
                    ctx.Out.WriteLine($"{"id",-26} {"start",-24} {"end",-24} {"exchanges",-12} {"symbols",-24} {"rows",12}  exit");
                    foreach (var s in all)
                    {
                        long rows = s.Counters.Where(kv => kv.Key.StartsWith("rows_", StringComparison.Ordinal)).Sum(kv => kv.Value);
                        ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{s.Id,-26} {CaptureSession.Iso(s.StartNs),-24} {(s.EndNs is { } e ? CaptureSession.Iso(e) : "(no end)"),-24} {string.Join(",", s.Exchanges),-12} {Clip(string.Join(",", s.Symbols), 24),-24} {rows,12:N0}  {s.ExitReason}"));
                    }
                    return 0;
                }
                string sid = r.GetValue(id)!;
                if (!CaptureSession.IsId(sid)) throw new UsageException($"'{sid}' is not a session id such as session_20261207_230745");
                var one = CaptureSession.Find(root, sid) ?? throw new InputException($"no session {sid} in {root} (tickengine sessions list --data {root})");
                if (asJson) { ctx.Out.WriteLine(one.ToJson().ToJsonString()); return 0; }
                ctx.Out.WriteLine($"session   {one.Id}");
                ctx.Out.WriteLine($"start     {CaptureSession.Iso(one.StartNs)}");
                ctx.Out.WriteLine($"end       {(one.EndNs is { } en ? CaptureSession.Iso(en) : "(no end recorded: killed, or running)")}");
                if (one.EndNs is { } en2) ctx.Out.WriteLine($"duration  {TimeSpan.FromTicks((en2 - one.StartNs) / 100):c}");
                ctx.Out.WriteLine($"exchanges {string.Join(", ", one.Exchanges)}");
                ctx.Out.WriteLine($"symbols   {string.Join(", ", one.Symbols)}");
                ctx.Out.WriteLine($"exit      {one.ExitReason}");
                foreach (var (k, v) in one.Options) ctx.Out.WriteLine($"option    {k} = {v}");
                foreach (var (k, v) in one.Counters.Where(kv => kv.Value != 0)) ctx.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"counter   {k} = {v:N0}"));
                return 0;
            });
            cmd.Subcommands.Add(c);
        }
        return cmd;
    }

    private static string Clip(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";

    /// <summary>A session's time range, exchanges and symbols (for export and analyze --session); its end is now when it has none.</summary>
    public static (long Start, long End, IReadOnlyList<string> Exchanges, IReadOnlyList<string> Symbols) Range(string root, string id)
    {
        if (!CaptureSession.IsId(id)) throw new UsageException($"--session '{id}' is not a session id such as session_20261207_230745");
        var s = CaptureSession.Find(root, id) ?? throw new InputException($"no session {id} in {root} (tickengine sessions list --data {root})");
        var exchanges = s.Exchanges.Where(x => x != "sim").Select(Engine.Venues.VenueRegistry.StoredId).ToList();
        if (s.Exchanges.Contains("sim")) exchanges.Add("binance");
        // A capture's session read data of another time: it covers its exchanges and symbols whatever their times.
        if (s.Options.ContainsKey("captures")) return (long.MinValue, long.MaxValue, exchanges, s.Symbols);
        return (s.StartNs, s.EndNs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() * 1_000_000, exchanges, s.Symbols);
    }
}
