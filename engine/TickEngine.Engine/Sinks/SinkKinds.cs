using TickEngine.Engine.Sinks.Parquet;

namespace TickEngine.Engine.Sinks;

/// <summary>The sinks <c>record --sink</c> knows, by name; a new sink adds one entry here.</summary>
public static class SinkKinds
{
    /// <summary>The keys every sink takes (read into its <see cref="SinkOptions"/>).</summary>
    public static readonly IReadOnlyList<string> CommonKeys = ["policy", "pause", "resume", "from", "drain"];

    public static readonly IReadOnlyList<SinkKind> All =
    [
        new SinkKind("parquet", "Parquet files mirroring the segments, one per run of rows of a segment (exactly once across crashes)",
            "parquet:DIR[,rows=N][,age=DURATION][,group=N][,level=fastest|optimal|smallest][,schemas=S+S]",
            ["rows", "age", "group", "level", "schemas"],
            (a, baseDir) =>
            {
                string dir = a.Place ?? a.Get("dir") ?? throw new FormatException($"--sink '{a.Spec}': give the folder, e.g. parquet:pq");
                var level = a.Get("level") switch
                {
                    null or "fastest" => System.IO.Compression.CompressionLevel.Fastest,
                    "optimal" => System.IO.Compression.CompressionLevel.Optimal,
                    "smallest" => System.IO.Compression.CompressionLevel.SmallestSize,
                    var other => throw new FormatException($"--sink '{a.Spec}': level must be fastest, optimal or smallest, got '{other}'"),
                };
                var o = new ParquetSinkOptions
                {
                    FileRows = (int)(a.GetLong("rows", 1, 100_000_000) ?? 1_000_000),
                    FileAge = a.GetDuration("age") ?? TimeSpan.FromSeconds(60),
                    RowGroupRows = (int)(a.GetLong("group", 1_000, 10_000_000) ?? 128 * 1024),
                    Level = level,
                    Schemas = a.GetSchemas("schemas"),
                };
                string full = Path.IsPathRooted(dir) ? dir : Path.Combine(baseDir, dir);
                if (File.Exists(full)) throw new FormatException($"--sink '{a.Spec}': {dir} is a file; give a folder for the Parquet files");
                return new ParquetSink(full, o);
            }),
        new SinkKind("sqlite", "a SQLite database file: a table per schema, exact decimals as text, the watermark in the same transaction (exactly once across crashes)",
            "sqlite:FILE[,batch=N][,age=DURATION][,schemas=S+S]",
            ["batch", "age", "schemas"],
            (a, baseDir) =>
            {
                string file = a.Place ?? a.Get("dir") ?? throw new FormatException($"--sink '{a.Spec}': give the database file, e.g. sqlite:ticks.db");
                string full = Path.IsPathRooted(file) ? file : Path.Combine(baseDir, file);
                if (Directory.Exists(full)) throw new FormatException($"--sink '{a.Spec}': {file} is a folder; give a database file");
                return new Sqlite.SqliteSink(full, new Sqlite.SqliteSinkOptions
                {
                    BatchRows = (int)(a.GetLong("batch", 1, 10_000_000) ?? 50_000),
                    MaxAge = a.GetDuration("age") ?? TimeSpan.FromSeconds(1),
                    Schemas = a.GetSchemas("schemas"),
                });
            }),
        new SinkKind("postgres", "PostgreSQL by binary COPY: a table per schema, exact numeric, timestamptz beside the ns, the watermark in the same transaction (exactly once across outages and crashes)",
            "postgres:CONNECTION-STRING (Host=...;Port=...;Username=...;Database=...; the password from PGPASSWORD or ~/.pgpass)[,batch=N][,age=DURATION][,schemas=S+S]",
            ["batch", "age", "schemas"],
            (a, baseDir) =>
            {
                string cs = a.Place ?? throw new FormatException($"--sink '{a.Spec}': give the connection string, e.g. postgres:Host=127.0.0.1;Port=5432;Username=ticks;Database=ticks");
                try { _ = new Npgsql.NpgsqlConnectionStringBuilder(cs); }
                catch (ArgumentException e) { throw new FormatException($"--sink postgres: the connection string is not one: {e.Message}"); }
                return new Postgres.PostgresSink(cs, new Postgres.PostgresSinkOptions
                {
                    BatchRows = (int)(a.GetLong("batch", 1, 10_000_000) ?? 100_000),
                    MaxAge = a.GetDuration("age") ?? TimeSpan.FromSeconds(1),
                    Schemas = a.GetSchemas("schemas"),
                });
            }),
    ];

    public static string Names => string.Join(", ", All.Select(k => k.Name));

    public static SinkKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>
    /// A sink and its runner's options from <c>NAME:ARGS</c>; throws <see cref="FormatException"/> naming what is
    /// wrong (an unknown sink, an unknown key, a value out of range).
    /// </summary>
    public static SinkRegistration Parse(string spec, string? baseDirectory = null)
    {
        var a = SinkArguments.Parse(spec);
        var kind = Find(a.Name) ?? throw new FormatException($"--sink '{spec}': no sink is named '{a.Name}' (sinks: {Names})");
        var options = a.RunnerOptions();
        var sink = kind.Create(a, baseDirectory ?? Environment.CurrentDirectory);
        if (a.Get("dir") is not null && a.Place is not null) throw new FormatException($"--sink '{spec}': the folder is given twice");
        a.CheckAllRead(CommonKeys.Concat(kind.Keys).Append("dir"));
        return new SinkRegistration(sink, options);
    }
}
