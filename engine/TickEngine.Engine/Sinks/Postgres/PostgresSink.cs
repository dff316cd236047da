using Npgsql;
using NpgsqlTypes;
using TickEngine.Engine.Export;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks.Postgres;

/// <summary>
/// Rows into PostgreSQL with binary <c>COPY</c>: one table per schema, created on first use from the schema's layout
/// (<c>exchange</c>, <c>symbol</c>, then its columns: each time as <c>timestamptz</c> (microseconds, for queries) beside
/// its exact nanoseconds as <c>bigint</c> (<c>exchange_time_ns</c>); prices, quantities and decimals as exact
/// <c>numeric</c>; sides and marker kinds as their names; ids, counts and flags as <c>bigint</c>), indexed by
/// (exchange, symbol, exchange_time). Rows are copied inside an open transaction; a flush commits them together with
/// the end of what the database holds of each segment (<c>tickengine_watermarks</c>), in the same transaction, so a
/// database that goes away (an outage, a kill) holds every row of a segment before its watermark exactly once and
/// the runner gives it the rest when it is back, read from the segments. Every call runs on the runner's thread.
/// </summary>
public sealed class PostgresSink : ISink, Sessions.ISessionStore
{
    private readonly string _connectionString;
    private readonly PostgresSinkOptions _options;
    private NpgsqlConnection? _db;
    private NpgsqlTransaction? _tx;
    private readonly HashSet<string> _tables = new();
    private readonly Dictionary<SegmentId, SinkPosition> _given = new();
    private long _pendingRows;
    private DateTime _openedUtc = DateTime.UtcNow;

    public PostgresSink(string connectionString, PostgresSinkOptions? options = null)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        _connectionString = b.ConnectionString;
        _options = options ?? new PostgresSinkOptions();
        // The target names the database, never its password.
        Target = $"postgres:{b.Host}:{b.Port}/{b.Database}";
    }

    /// <summary>The session's row in <c>tickengine_sessions</c> (made on first use), on a connection of its own.</summary>
    public void WriteSession(Sessions.CaptureSession session)
    {
        using var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Timeout = 3 }.ConnectionString);
        db.Open();
        using (var c = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS tickengine_sessions (id text PRIMARY KEY, started timestamptz NOT NULL, started_ns bigint NOT NULL, " +
                                         "ended timestamptz, ended_ns bigint, exchanges text NOT NULL, symbols text NOT NULL, options jsonb NOT NULL, counters jsonb NOT NULL, exit_reason text NOT NULL)", db))
            c.ExecuteNonQuery();
        var j = session.ToJson();
        using var cmd = new NpgsqlCommand("INSERT INTO tickengine_sessions VALUES ($1, to_timestamp($2::double precision / 1e9), $2, " +
            "CASE WHEN $3::bigint IS NULL THEN NULL ELSE to_timestamp($3::double precision / 1e9) END, $3, $4, $5, $6::jsonb, $7::jsonb, $8) " +
            "ON CONFLICT (id) DO UPDATE SET ended = EXCLUDED.ended, ended_ns = EXCLUDED.ended_ns, counters = EXCLUDED.counters, exit_reason = EXCLUDED.exit_reason", db);
        cmd.Parameters.AddWithValue(session.Id);
        cmd.Parameters.AddWithValue(session.StartNs);
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)session.EndNs ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        cmd.Parameters.AddWithValue(string.Join(",", session.Exchanges));
        cmd.Parameters.AddWithValue(string.Join(",", session.Symbols));
        cmd.Parameters.AddWithValue(j["options"]!.ToJsonString());
        cmd.Parameters.AddWithValue(j["counters"]!.ToJsonString());
        cmd.Parameters.AddWithValue(session.ExitReason);
        cmd.ExecuteNonQuery();
    }

    public string Name => "postgres";
    public string Target { get; }
    public bool Durable => true;
    public bool Accepts(SchemaKind schema) => _options.Schemas is null || _options.Schemas.Contains(schema);

    public async ValueTask<IReadOnlyList<SinkDurable>> OpenAsync(CancellationToken cancel)
    {
        if (_db is not null) await _db.DisposeAsync();
        _db = new NpgsqlConnection(_connectionString);
        await _db.OpenAsync(cancel);
        _tables.Clear();
        await ExecAsync("CREATE TABLE IF NOT EXISTS tickengine_watermarks (stream text NOT NULL, day bigint NOT NULL, part integer NOT NULL, end_row bigint NOT NULL, PRIMARY KEY (stream, day, part))", cancel);
        return await WatermarksAsync(cancel);
    }

    private async Task ExecAsync(string sql, CancellationToken cancel)
    {
        await using var c = new NpgsqlCommand(sql, _db, _tx);
        await c.ExecuteNonQueryAsync(cancel);
    }

    private async Task<IReadOnlyList<SinkDurable>> WatermarksAsync(CancellationToken cancel)
    {
        var list = new List<SinkDurable>();
        await using var c = new NpgsqlCommand("SELECT stream, day, part, end_row FROM tickengine_watermarks", _db);
        await using var r = await c.ExecuteReaderAsync(cancel);
        while (await r.ReadAsync(cancel))
            if (StreamKey.TryParse(r.GetString(0), out var stream)) list.Add(new SinkDurable(stream, new SinkPosition(r.GetInt64(1), r.GetInt32(2), r.GetInt64(3))));
        return list;
    }

    /// <summary>Column names and types of a schema's table (the first two are exchange and symbol).</summary>
    private static List<(string Name, string Type, int Column, bool Time)> Columns(SegmentSchema schema)
    {
        var list = new List<(string, string, int, bool)>();
        for (int k = 0; k < schema.ColumnCount; k++)
        {
            var col = schema.Columns[k];
            if (schema.TextTradeIds && k == TradeColumns.TradeIdLo) continue;
            if (col.Kind == ColumnKind.Timestamp)
            {
                list.Add((col.Name, "timestamptz", k, true));
                list.Add((col.Name + "_ns", "bigint", k, false));
                continue;
            }
            list.Add((col.Name, col.Kind switch
            {
                ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal => "numeric",
                ColumnKind.Enum => "text",
                // Text trade ids and numeric ones share the column: a trades table holds them as text, whichever came first.
                ColumnKind.Id when schema.Kind == SchemaKind.Trades && k == TradeColumns.TradeId => "text",
                _ => "bigint",
            }, k, false));
        }
        return list;
    }

    public async ValueTask WriteAsync(RowBatch batch, CancellationToken cancel)
    {
        if (_tx is null) { _tx = await _db!.BeginTransactionAsync(cancel); _openedUtc = DateTime.UtcNow; }
        var schema = batch.Schema;
        var cols = Columns(schema);
        string table = schema.Name;
        if (_tables.Add(table))
        {
            await ExecAsync($"CREATE TABLE IF NOT EXISTS {table} (exchange text NOT NULL, symbol text NOT NULL, {string.Join(", ", cols.Select(c => $"{c.Name} {c.Type}"))})", cancel);
            await ExecAsync($"CREATE INDEX IF NOT EXISTS {table}_time ON {table} (exchange, symbol, exchange_time)", cancel);
        }
        // The runner's thread waits for each call anyway: the importer's synchronous writes cost a fraction of an
        // awaited call per value.
        using (var copy = _db!.BeginBinaryImport($"COPY {table} (exchange, symbol, {string.Join(", ", cols.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)"))
        {
            for (int row = 0; row < batch.Count; row++)
            {
                copy.StartRow();
                copy.Write(batch.Stream.Exchange, NpgsqlDbType.Text);
                copy.Write(batch.Stream.Symbol, NpgsqlDbType.Text);
                foreach (var (name, type, k, time) in cols)
                {
                    var col = schema.Columns[k];
                    long v = batch[row, k];
                    if (time) { copy.Write(DateTime.UnixEpoch.AddTicks(v / 100), NpgsqlDbType.TimestampTz); continue; }
                    switch (col.Kind)
                    {
                        case ColumnKind.Price or ColumnKind.Quantity or ColumnKind.Decimal:
                            copy.Write(ParquetRowsWriter.Exact(v, col.Scale), NpgsqlDbType.Numeric);
                            break;
                        case ColumnKind.Enum:
                            copy.Write(ParquetRowsWriter.EnumText(schema.Kind, v), NpgsqlDbType.Text);
                            break;
                        case ColumnKind.Id when type == "text":
                            string id = schema.TextTradeIds
                                ? TradeIds.ToText(v, batch[row, TradeColumns.TradeIdLo], batch[row, TradeColumns.Flags]) ?? throw new StorageFormatException($"a trade id that does not decode: {v:X16}")
                                : v.ToString(System.Globalization.CultureInfo.InvariantCulture);
                            copy.Write(id, NpgsqlDbType.Text);
                            break;
                        default:
                            copy.Write(v, NpgsqlDbType.Bigint);
                            break;
                    }
                }
            }
            copy.Complete();
        }
        _pendingRows += batch.Count;
        _given[SegmentId.Of(batch.Stream, batch.Start)] = batch.End;
    }

    public async ValueTask<SinkFlushResult> FlushAsync(SinkFlushKind kind, CancellationToken cancel)
    {
        if (_tx is null) return SinkFlushResult.None;
        bool due = kind is SinkFlushKind.Final or SinkFlushKind.Idle || _pendingRows >= _options.BatchRows || DateTime.UtcNow - _openedUtc >= _options.MaxAge;
        if (!due) return SinkFlushResult.None;
        // The watermarks in the same transaction as the rows: both are kept, or neither.
        await using (var w = new NpgsqlCommand("INSERT INTO tickengine_watermarks (stream, day, part, end_row) VALUES ($1, $2, $3, $4) ON CONFLICT (stream, day, part) DO UPDATE SET end_row = excluded.end_row", _db, _tx))
        {
            var s = w.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text });
            var d = w.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
            var p = w.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Integer });
            var e = w.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Bigint });
            foreach (var (id, end) in _given)
            {
                s.Value = id.Stream.ToString(); d.Value = id.Day; p.Value = id.Part; e.Value = end.Row;
                await w.ExecuteNonQueryAsync(cancel);
            }
        }
        await _tx.CommitAsync(cancel);
        await _tx.DisposeAsync();
        _tx = null;
        RowsCommitted += _pendingRows;
        _pendingRows = 0;
        var moved = _given.Select(g => new SinkDurable(g.Key.Stream, g.Value)).ToList();
        _given.Clear();
        return new SinkFlushResult(moved);
    }

    /// <summary>Rows committed by this sink in this run.</summary>
    public long RowsCommitted { get; private set; }

    public async ValueTask<IReadOnlyList<SinkDurable>> RecoverAsync(CancellationToken cancel)
    {
        // The connection may be gone (the database restarted): what was not committed is forgotten, and the
        // watermarks are read again on a new connection (if the database is still away, this throws and the runner
        // tries again after its back-off).
        try { if (_tx is not null) await _tx.DisposeAsync(); } catch (Exception) { }
        _tx = null;
        _pendingRows = 0;
        _given.Clear();
        return await OpenAsync(cancel);
    }

    public async ValueTask DisposeAsync()
    {
        try { if (_tx is not null) await _tx.DisposeAsync(); } catch (Exception) { }
        _tx = null;
        if (_db is not null) await _db.DisposeAsync();
        _db = null;
    }
}

/// <summary>How the PostgreSQL sink commits.</summary>
public sealed record PostgresSinkOptions
{
    /// <summary>Rows per transaction.</summary>
    public int BatchRows { get; init; } = 100_000;

    /// <summary>The longest a transaction stays open.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The schemas taken (null: all).</summary>
    public IReadOnlySet<SchemaKind>? Schemas { get; init; }
}
