using System.Globalization;
using Microsoft.Data.Sqlite;
using TickEngine.Engine.Export;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Sinks.Sqlite;

/// <summary>
/// Rows into a SQLite database file (WAL): one table per schema, created on first use from the schema's layout
/// (<c>exchange</c>, <c>symbol</c>, then its columns: times as INTEGER nanoseconds since the epoch, UTC; prices,
/// quantities and decimals as TEXT holding the exact decimal, since SQLite has no exact decimal type and would round
/// a REAL; sides and marker kinds as their names; ids, counts and flags as INTEGER), indexed by
/// (exchange, symbol, exchange time). Rows go into an open transaction as they come; a flush commits them together
/// with the end of what the database holds of each segment (<c>tickengine_watermarks</c>), in the same transaction,
/// so after any failure or crash the database holds every row of a segment before its watermark exactly once and
/// the runner gives it the rest. A transaction is committed every <see cref="SqliteSinkOptions.BatchRows"/> rows,
/// and on quiet streams and at the end of the run.
/// </summary>
public sealed class SqliteSink : ISink, Sessions.ISessionStore
{
    private readonly SqliteSinkOptions _options;
    private SqliteConnection? _db;
    private SqliteTransaction? _tx;
    private readonly Dictionary<string, SqliteCommand> _inserts = new();
    private readonly Dictionary<SegmentId, SinkPosition> _given = new();
    private long _pendingRows;
    private DateTime _openedUtc = DateTime.UtcNow;

    public SqliteSink(string path, SqliteSinkOptions? options = null)
    {
        File = Path.GetFullPath(path);
        _options = options ?? new SqliteSinkOptions();
    }

    public string File { get; }
    public string Name => "sqlite";
    public string Target => "sqlite:" + File;

    /// <summary>The session's row in <c>tickengine_sessions</c> (made on first use), on a connection of its own (WAL lets it beside the sink's).</summary>
    public void WriteSession(Sessions.CaptureSession session)
    {
        string? dir = Path.GetDirectoryName(File);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        // A few seconds at most behind the sink's own open transaction: the row is written again at the run's end, and
        // `db load` copies sessions, so a database busy now costs a warning, never a stalled run.
        using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false, DefaultTimeout = 5 }.ToString());
        db.Open();
        using (var c = db.CreateCommand())
        {
            c.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS tickengine_sessions (id TEXT PRIMARY KEY, started_ns INTEGER NOT NULL, ended_ns INTEGER, " +
                            "exchanges TEXT NOT NULL, symbols TEXT NOT NULL, options TEXT NOT NULL, counters TEXT NOT NULL, exit_reason TEXT NOT NULL)";
            c.ExecuteNonQuery();
        }
        var j = session.ToJson();
        using var cmd = db.CreateCommand();
        cmd.CommandText = "INSERT INTO tickengine_sessions VALUES ($id, $start, $end, $ex, $sym, $opt, $cnt, $why) ON CONFLICT(id) DO UPDATE SET " +
                          "ended_ns = excluded.ended_ns, counters = excluded.counters, exit_reason = excluded.exit_reason";
        cmd.Parameters.AddWithValue("$id", session.Id);
        cmd.Parameters.AddWithValue("$start", session.StartNs);
        cmd.Parameters.AddWithValue("$end", (object?)session.EndNs ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$ex", string.Join(",", session.Exchanges));
        cmd.Parameters.AddWithValue("$sym", string.Join(",", session.Symbols));
        cmd.Parameters.AddWithValue("$opt", j["options"]!.ToJsonString());
        cmd.Parameters.AddWithValue("$cnt", j["counters"]!.ToJsonString());
        cmd.Parameters.AddWithValue("$why", session.ExitReason);
        cmd.ExecuteNonQuery();
    }
    public bool Durable => true;
    public bool Accepts(SchemaKind schema) => _options.Schemas is null || _options.Schemas.Contains(schema);

    /// <summary>Rows committed by this sink in this run.</summary>
    public long RowsCommitted { get; private set; }

    public ValueTask<IReadOnlyList<SinkDurable>> OpenAsync(CancellationToken cancel)
    {
        string? dir = Path.GetDirectoryName(File);
        if (dir is not null) Directory.CreateDirectory(dir);
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = File, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL");
        Exec("PRAGMA synchronous=FULL");
        Exec("CREATE TABLE IF NOT EXISTS tickengine_watermarks (stream TEXT NOT NULL, day INTEGER NOT NULL, part INTEGER NOT NULL, end_row INTEGER NOT NULL, PRIMARY KEY (stream, day, part))");
        return ValueTask.FromResult(Watermarks());
    }

    private void Exec(string sql)
    {
        using var c = _db!.CreateCommand();
        c.CommandText = sql;
        c.Transaction = _tx;
        c.ExecuteNonQuery();
    }

    private IReadOnlyList<SinkDurable> Watermarks()
    {
        var list = new List<SinkDurable>();
        using var c = _db!.CreateCommand();
        c.CommandText = "SELECT stream, day, part, end_row FROM tickengine_watermarks";
        using var r = c.ExecuteReader();
        while (r.Read())
            if (StreamKey.TryParse(r.GetString(0), out var stream)) list.Add(new SinkDurable(stream, new SinkPosition(r.GetInt64(1), r.GetInt32(2), r.GetInt64(3))));
        return list;
    }

    /// <summary>The table of a schema: its columns from the layout, created on first use.</summary>
    private SqliteCommand Insert(SegmentSchema schema)
    {
        string table = schema.Name;
        if (_inserts.TryGetValue(table, out var cmd)) return cmd;
        var names = new List<string> { "exchange", "symbol" };
        var defs = new List<string> { "exchange TEXT NOT NULL", "symbol TEXT NOT NULL" };
        for (int k = 0; k < schema.ColumnCount; k++)
        {
            var col = schema.Columns[k];
            if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue; // part of trade_id, stored as its text
            string name = col.Kind == ColumnKind.Timestamp ? col.Name + "_ns" : col.Name;
            string type = col.Kind switch
            {
                ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal or ColumnKind.Enum => "TEXT",
                ColumnKind.Id when schema.TextTradeIds && k == TradeColumns.TradeId => "TEXT",
                _ => "INTEGER",
            };
            names.Add(name);
            defs.Add($"{name} {type}");
        }
        Exec($"CREATE TABLE IF NOT EXISTS {table} ({string.Join(", ", defs)})");
        Exec($"CREATE INDEX IF NOT EXISTS {table}_time ON {table} (exchange, symbol, exchange_time_ns)");
        cmd = _db!.CreateCommand();
        cmd.CommandText = $"INSERT INTO {table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", names.Select((_, i) => "$p" + i))})";
        for (int i = 0; i < names.Count; i++) cmd.Parameters.Add(new SqliteParameter("$p" + i, null));
        cmd.Transaction = _tx;
        _inserts[table] = cmd;
        return cmd;
    }

    public ValueTask WriteAsync(RowBatch batch, CancellationToken cancel)
    {
        if (_tx is null) { _tx = _db!.BeginTransaction(); _openedUtc = DateTime.UtcNow; foreach (var c in _inserts.Values) c.Transaction = _tx; }
        var schema = batch.Schema;
        var cmd = Insert(schema);
        cmd.Transaction = _tx;
        var ps = cmd.Parameters;
        for (int row = 0; row < batch.Count; row++)
        {
            ps[0].Value = batch.Stream.Exchange;
            ps[1].Value = batch.Stream.Symbol;
            int p = 2;
            for (int k = 0; k < schema.ColumnCount; k++)
            {
                var col = schema.Columns[k];
                if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue;
                long v = batch[row, k];
                ps[p++].Value = col.Kind switch
                {
                    ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal => FixedDecimal.ToString(v, col.Scale),
                    ColumnKind.Enum => ParquetRowsWriter.EnumText(schema.Kind, v),
                    ColumnKind.Id when schema.TextTradeIds && k == TradeColumns.TradeId =>
                        TradeIds.ToText(v, batch[row, TradeColumns.TradeIdLo], batch[row, TradeColumns.Flags]) ?? throw new StorageFormatException($"a trade id that does not decode: {v:X16}"),
                    _ => v,
                };
            }
            cmd.ExecuteNonQuery();
        }
        _pendingRows += batch.Count;
        var id = SegmentId.Of(batch.Stream, batch.Start);
        _given[id] = batch.End;
        return ValueTask.CompletedTask;
    }

    public ValueTask<SinkFlushResult> FlushAsync(SinkFlushKind kind, CancellationToken cancel)
    {
        if (_tx is null) return ValueTask.FromResult(SinkFlushResult.None);
        bool due = kind == SinkFlushKind.Final || _pendingRows >= _options.BatchRows || kind == SinkFlushKind.Idle || DateTime.UtcNow - _openedUtc >= _options.MaxAge;
        if (!due) return ValueTask.FromResult(SinkFlushResult.None);
        // The watermarks in the same transaction as the rows: both are kept, or neither.
        using (var w = _db!.CreateCommand())
        {
            w.Transaction = _tx;
            w.CommandText = "INSERT INTO tickengine_watermarks (stream, day, part, end_row) VALUES ($s, $d, $p, $e) ON CONFLICT (stream, day, part) DO UPDATE SET end_row = excluded.end_row";
            var s = w.Parameters.Add("$s", SqliteType.Text);
            var d = w.Parameters.Add("$d", SqliteType.Integer);
            var pa = w.Parameters.Add("$p", SqliteType.Integer);
            var e = w.Parameters.Add("$e", SqliteType.Integer);
            foreach (var (id, end) in _given)
            {
                s.Value = id.Stream.ToString(); d.Value = id.Day; pa.Value = id.Part; e.Value = end.Row;
                w.ExecuteNonQuery();
            }
        }
        _tx.Commit();
        _tx.Dispose();
        _tx = null;
        RowsCommitted += _pendingRows;
        _pendingRows = 0;
        var moved = _given.Select(g => new SinkDurable(g.Key.Stream, g.Value)).ToList();
        _given.Clear();
        return ValueTask.FromResult(new SinkFlushResult(moved));
    }

    public ValueTask<IReadOnlyList<SinkDurable>> RecoverAsync(CancellationToken cancel)
    {
        try { _tx?.Rollback(); } catch (SqliteException) { }
        _tx?.Dispose();
        _tx = null;
        _pendingRows = 0;
        _given.Clear();
        if (_db is null || _db.State != System.Data.ConnectionState.Open) return OpenAsync(cancel);
        return ValueTask.FromResult(Watermarks());
    }

    public ValueTask DisposeAsync()
    {
        try { _tx?.Rollback(); } catch (SqliteException) { }
        _tx?.Dispose();
        _tx = null;
        foreach (var c in _inserts.Values) c.Dispose();
        _inserts.Clear();
        _db?.Dispose();
        _db = null;
        return ValueTask.CompletedTask;
    }
}

/// <summary>How the SQLite sink commits.</summary>
public sealed record SqliteSinkOptions
{
    /// <summary>Rows per transaction.</summary>
    public int BatchRows { get; init; } = 50_000;

    /// <summary>The longest a transaction stays open.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The schemas taken (null: all).</summary>
    public IReadOnlySet<SchemaKind>? Schemas { get; init; }
}
