using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using TickEngine.Cli.CommandLine;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;
using TickEngine.Storage.Writing;

namespace TickEngine.Cli.Csv;

/// <summary>
/// Imports a CSV file (the export layouts, default or full, or Tardis's trades, book_snapshot_N and
/// incremental_book_L2 layouts; gzip when the name ends in .gz) into a data root. Columns are found by header
/// name. Every value is parsed exactly; the first bad value stops the import with file, line and column named,
/// after committing and sealing what was imported before it. Scales follow the data: <c>--price-scale</c> and
/// <c>--qty-scale</c> are where each exchange and symbol starts, and a value that does not fit them moves that series
/// to scales that hold it (its rows continue in a new segment part); trade ids that are not integers (UUIDs, text)
/// move it to format 1.1 text ids the same way.
/// </summary>
public sealed class CsvImporter
{
    private readonly string _file;
    private readonly SchemaKind _kind;
    private readonly string? _exchange;
    private readonly string? _symbol;
    private readonly string _root;
    private readonly int _priceScale;
    private readonly int _qtyScale;
    private readonly TextWriter? _progress;
    private readonly Dictionary<(string, string), Series> _writers = new();

    /// <summary>One exchange and symbol: its writer and the schema its rows are at now (scales, id form).</summary>
    private sealed class Series(PartitionedWriter writer, SegmentSchema schema)
    {
        public readonly PartitionedWriter Writer = writer;
        public SegmentSchema Schema = schema;
        public void Append(SegmentSchema schema, long[] row) => Writer.Append(schema, row.AsSpan(0, schema.ColumnCount));
    }

    /// <summary>A value that does not fit the series' scales (or an id its schema cannot hold): the row is read again at others.</summary>
    private sealed class NeedsSchema(bool price, string text) : Exception
    {
        public bool Price { get; } = price;
        public string Text { get; } = text;
    }

    /// <summary>The scales (and id form) rows are being read at: the current series' schema.</summary>
    private SegmentSchema _at = null!;
    private readonly CsvFields _f = new();
    private Dictionary<string, int> _col = new(StringComparer.Ordinal);
    private bool _tardis;
    private long _line;
    private SegmentSchema _schema = null!;

    public CsvImporter(string file, SchemaKind kind, string? exchange, string? symbol, string root, int priceScale, int qtyScale, TextWriter? progress)
    {
        _file = file;
        _kind = kind;
        _exchange = exchange;
        _symbol = symbol;
        _root = root;
        _priceScale = priceScale;
        _qtyScale = qtyScale;
        _progress = progress;
    }

    public long Rows { get; private set; }
    public IEnumerable<string> Outputs => _writers.Values.Select(w => $"{w.Writer.Exchange}/{w.Writer.Symbol}/{w.Schema.Name}");

    /// <summary>Series whose scales or id form moved during the import (each a new segment part).</summary>
    public int SchemaChanges { get; private set; }

    public void Run(CancellationToken cancel = default)
    {
        if (!File.Exists(_file)) throw new InputException($"{_file}: no such file");
        using var fs = new FileStream(_file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        Stream s = _file.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? new GZipStream(fs, CompressionMode.Decompress) : fs;
        using var reader = new StreamReader(s, System.Text.Encoding.UTF8, false, 1 << 16);
        try
        {
            string? header = reader.ReadLine();
            _line = 1;
            if (header is null) throw Error("the file is empty: a header line is required");
            ReadHeader(header);
            var sw = Stopwatch.StartNew();
            long lastReport = 0;
            var row = new long[_kind == SchemaKind.Trades ? TradeColumns.CountWithTextIds : _schema.ColumnCount];
            long[]? held = null; // deltas: the previous row, until the next one tells whether it ended its message
            SegmentSchema? heldSchema = null;
            string heldSymbol = "", heldExchange = "";
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                _line++;
                if ((_line & 1023) == 0) cancel.ThrowIfCancellationRequested();
                if (line.Length == 0) continue;
                if (line.Length > MaxLineChars) throw Error($"a line of {line.Length:N0} characters; lines of at most {MaxLineChars:N0} are read");
                string? bad = _f.Split(line);
                if (bad is not null) throw Error(bad);
                if (_f.Count != _col.Count) throw Error($"{_f.Count} fields where the header has {_col.Count}");
                string symbol = _symbol ?? Field("symbol", "a --symbol option or a 'symbol' column is required").ToString();
                string exchange = _exchange ?? Field("exchange", "an --exchange option or an 'exchange' column is required").ToString();
                var series = Writer(exchange, symbol);
                // Read at the series' schema; a value it cannot hold moves it to one that can, and the row is read again.
                for (int attempt = 0; ; attempt++)
                {
                    _at = series.Schema;
                    Array.Clear(row);
                    try
                    {
                        FillRow(row, _at.TextTradeIds);
                        break;
                    }
                    catch (NeedsSchema n) when (attempt < 4)
                    {
                        series.Schema = Move(series.Schema, n);
                        SchemaChanges++;
                    }
                }
                if (_kind == SchemaKind.Deltas && !_col.ContainsKey("flags"))
                {
                    if (held is not null)
                    {
                        bool sameMessage = held[0] == row[0] && held[1] == row[1] && heldSymbol == symbol &&
                            ((held[DeltaColumns.Flags] & (long)RowFlags.FromSnapshot) == (row[DeltaColumns.Flags] & (long)RowFlags.FromSnapshot));
                        if (!sameMessage) held[DeltaColumns.Flags] |= (long)RowFlags.LastInMessage;
                        bool startsSnapshot = (row[DeltaColumns.Flags] & (long)RowFlags.FromSnapshot) != 0 && (held[DeltaColumns.Flags] & (long)RowFlags.FromSnapshot) == 0;
                        if (startsSnapshot) row[DeltaColumns.Flags] |= (long)RowFlags.SnapshotBegins;
                        Writer(heldExchange, heldSymbol).Append(heldSchema!, held);
                        Rows++;
                    }
                    else if ((row[DeltaColumns.Flags] & (long)RowFlags.FromSnapshot) != 0) row[DeltaColumns.Flags] |= (long)RowFlags.SnapshotBegins;
                    held ??= new long[row.Length];
                    row.CopyTo(held, 0);
                    heldSchema = _at;
                    heldSymbol = symbol;
                    heldExchange = exchange;
                }
                else
                {
                    series.Append(_at, row);
                    Rows++;
                }
                if ((Rows & 0xFFFF) == 0 && _progress is not null && sw.ElapsedMilliseconds - lastReport > 1000)
                {
                    lastReport = sw.ElapsedMilliseconds;
                    double pct = fs.Length > 0 ? 100.0 * fs.Position / fs.Length : 0;
                    _progress.WriteLine($"import: {Rows:N0} rows, {pct:F0}% of {Path.GetFileName(_file)}");
                }
            }
            if (held is not null)
            {
                held[DeltaColumns.Flags] |= (long)RowFlags.LastInMessage;
                Writer(heldExchange, heldSymbol).Append(heldSchema!, held);
                Rows++;
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: what was imported so far is sealed below; the caller says it is incomplete.
        }
        catch (InvalidDataException e)
        {
            throw new InputException($"{_file}: line {_line}: the gzip stream is damaged ({e.Message}); {Rows:N0} rows before it were imported");
        }
        finally
        {
            foreach (var w in _writers.Values) w.Writer.Dispose();
        }
    }

    /// <summary>What a <see cref="NeedsSchema"/> says when an id needs text ids rather than other scales.</summary>
    private static readonly string TextIds = "(text ids)";

    /// <summary>The longest line read (a line beyond it is an error naming it, never a buffer that grows without bound).</summary>
    public const int MaxLineChars = 1 << 20;

    /// <summary>The schema that holds what <paramref name="n"/> needs, or an error when none can.</summary>
    private SegmentSchema Move(SegmentSchema current, NeedsSchema n)
    {
        if (ReferenceEquals(n.Text, TextIds))
        {
            if (_kind != SchemaKind.Trades || current.TextTradeIds) throw Error("a trade id that cannot be stored");
            return SegmentSchema.Create(_kind, Math.Max(current.Depth, 1), current.PriceScale, current.QuantityScale, textTradeIds: true);
        }
        bool decimalColumn = n.Text.StartsWith(DecimalScaleMarker, StringComparison.Ordinal);
        string text = decimalColumn ? n.Text[DecimalScaleMarker.Length..] : n.Text;
        int scale = decimalColumn ? current.DecimalScale : n.Price ? current.PriceScale : current.QuantityScale;
        if (!FixedDecimal.TryFit(System.Text.Encoding.ASCII.GetBytes(text), out int min, out int max))
            throw Error($"'{text}' cannot be held exactly in 64 bits at any scale (more than 18 significant digits)");
        int target = scale < min ? min : scale > max ? max : scale;
        if (decimalColumn) return SegmentSchema.Create(_kind, Math.Max(current.Depth, 1), current.PriceScale, current.QuantityScale, current.TextTradeIds, target);
        return SegmentSchema.Create(_kind, Math.Max(current.Depth, 1), n.Price ? target : current.PriceScale, n.Price ? current.QuantityScale : target, current.TextTradeIds, current.DecimalScale);
    }

    private readonly Dictionary<string, string> _venueIds = new();

    /// <summary>
    /// A registered venue's id for an exchange name from the file or the command line (Tardis's <c>okex-swap</c> is
    /// <c>okx</c>), so imported rows sit beside recorded ones; a name no venue answers to is kept as given.
    /// </summary>
    private string VenueId(string exchange)
    {
        if (!_venueIds.TryGetValue(exchange, out var id)) _venueIds[exchange] = id = Engine.Venues.VenueRegistry.StoredId(exchange);
        return id;
    }

    private Series Writer(string exchange, string symbol)
    {
        exchange = VenueId(exchange);
        if (!_writers.TryGetValue((exchange, symbol), out var w))
        {
            // Trades of a venue whose ids are text (Bybit's derivatives) go to format 1.1 text-id segments.
            var schema = _kind == SchemaKind.Trades && Engine.Venues.VenueRegistry.TradeIdsOf(exchange) == Engine.Ingest.TradeIdKind.Text
                ? SegmentSchema.Create(SchemaKind.Trades, 1, _priceScale, _qtyScale, textTradeIds: true)
                : _schema;
            try { w = new Series(new PartitionedWriter(_root, exchange, symbol, schema), schema); }
            catch (ArgumentException e) { throw Error(e.Message); }
            _writers[(exchange, symbol)] = w;
        }
        return w;
    }

    private void ReadHeader(string header)
    {
        string? bad = _f.Split(header);
        if (bad is not null) throw Error(bad);
        _col = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _f.Count; i++)
        {
            string name = _f.Text(i).Trim();
            if (!_col.TryAdd(name, i)) throw Error($"column '{name}' appears twice in the header");
        }
        _tardis = _col.ContainsKey("local_timestamp");
        int depth = 0;
        if (_kind == SchemaKind.L2)
        {
            while (_col.ContainsKey(_tardis ? $"bids[{depth}].price" : $"bid_price_{depth + 1}") ||
                   _col.ContainsKey(_tardis ? $"asks[{depth}].price" : $"ask_price_{depth + 1}")) depth++;
            if (depth == 0) throw Error(_tardis ? "no 'bids[0].price' or 'asks[0].price' column: not a book_snapshot_N layout" : "no 'bid_price_1' or 'ask_price_1' column: not an l2 layout");
            if (depth > SegmentSchema.MaxDepth) throw Error($"{depth} levels per side; at most {SegmentSchema.MaxDepth} are supported");
        }
        _schema = SegmentSchema.Create(_kind, Math.Max(depth, 1), _priceScale, _qtyScale);
        Require(_tardis ? "timestamp" : _col.ContainsKey("exchange_time_ns") ? "exchange_time_ns" : "timestamp");
        switch (_kind)
        {
            case SchemaKind.Trades: Require("price"); Require(_tardis ? "amount" : "quantity"); break;
            case SchemaKind.Bars: foreach (var c in new[] { "interval", "open", "high", "low", "close", "volume" }) Require(c); break;
            case SchemaKind.Deltas: Require("side"); Require("price"); Require(_tardis ? "amount" : "quantity"); break;
            case SchemaKind.L2: break;
            case SchemaKind.Quotes or SchemaKind.Funding:
                // From the layout: every value column by its name (or Tardis's: quotes, derivative_ticker).
                for (int k = 2; k < _schema.ColumnCount; k++)
                    if (_schema.Columns[k].Kind != ColumnKind.Flags && _schema.Columns[k].Kind != ColumnKind.Id && ColumnOf(_schema.Columns[k]) is null)
                        throw Error($"the header has no '{ExportLayout.CsvName(_schema.Columns[k])}' column, which a {SegmentSchema.NameOf(_kind)} CSV needs");
                break;
            default: throw new UsageException($"import supports --schema {CommandLine.Vocabulary.Schemas(withStatus: false, "and")}, not {SegmentSchema.NameOf(_kind)}");
        }
    }

    /// <summary>
    /// The trade id: an integer, or, into a text-id segment (a venue whose ids are text, such as Bybit's
    /// derivatives), any id form (<see cref="TradeIds"/>), exactly; an id that cannot be stored is an error naming it.
    /// </summary>
    private void TradeIdOf(long[] row, ref long flags, bool textTradeIds)
    {
        string name = Has("trade_id") ? "trade_id" : Has("id") ? "id" : "";
        if (name.Length == 0) { row[TradeColumns.TradeId] = 0; return; }
        if (!textTradeIds)
        {
            var raw = Field(name, "").Trim();
            if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)) { row[TradeColumns.TradeId] = v; return; }
            throw new NeedsSchema(false, TextIds); // not an integer: the series moves to text ids
        }
        string text = Field(name, "").Trim().ToString();
        if (text.Length == 0) { row[TradeColumns.TradeId] = 0; row[TradeColumns.TradeIdLo] = 0; return; }
        if (!TradeIds.TryEncode(System.Text.Encoding.UTF8.GetBytes(text), out long hi, out long lo, out long form))
            throw Error($"column '{name}': '{text}' is not a trade id that can be stored exactly (digits, a UUID, or 1..{TradeIds.MaxTextBytes} printable ASCII characters)");
        row[TradeColumns.TradeId] = hi;
        row[TradeColumns.TradeIdLo] = lo;
        flags = (flags & ~TradeIds.FormMask) | form;
    }

    private void Require(string name)
    {
        if (!_col.ContainsKey(name))
            throw Error($"the header has no '{name}' column, which a {SegmentSchema.NameOf(_kind)} {(_tardis ? "Tardis" : "TickEngine")} CSV needs");
    }

    private void FillRow(long[] row, bool textTradeIds)
    {
        long flags = Has("flags") ? Int("flags") : 0;
        long exchangeTime = _tardis ? Decimal("timestamp", 3) : Has("exchange_time_ns") ? Int("exchange_time_ns") : Decimal("timestamp", 6);
        long receiveTime;
        if (_tardis) receiveTime = Decimal("local_timestamp", 3);
        else if (Has("receive_time_ns")) receiveTime = Int("receive_time_ns");
        else { receiveTime = exchangeTime; flags |= (long)RowFlags.ReceiveTimeUnknown; }
        row[0] = exchangeTime;
        row[1] = receiveTime;
        string qtyName = _tardis ? "amount" : "quantity";
        switch (_kind)
        {
            case SchemaKind.Trades:
                TradeIdOf(row, ref flags, textTradeIds);
                row[TradeColumns.Price] = Price("price");
                row[TradeColumns.Quantity] = Quantity(qtyName);
                row[TradeColumns.Side] = Has("side") ? TradeSideOf("side") : (long)TradeSide.Unknown;
                row[TradeColumns.Flags] = flags;
                break;
            case SchemaKind.Bars:
                var iv = Field("interval", "");
                if (!ExportLayout.TryParseInterval(iv, out long ns)) throw Error($"column 'interval': '{iv}' is not an interval such as 1m, 5m, 1h, 1d or 30s");
                row[BarColumns.Interval] = ns;
                row[BarColumns.Open] = Price("open");
                row[BarColumns.High] = Price("high");
                row[BarColumns.Low] = Price("low");
                row[BarColumns.Close] = Price("close");
                row[BarColumns.Volume] = Quantity("volume");
                row[BarColumns.BuyVolume] = Has("buy_volume") ? Quantity("buy_volume") : 0;
                row[BarColumns.TradeCount] = Has("trade_count") ? Int("trade_count") : 0;
                row[BarColumns.FirstTradeId] = Has("first_trade_id") ? Int("first_trade_id") : 0;
                row[BarColumns.LastTradeId] = Has("last_trade_id") ? Int("last_trade_id") : 0;
                row[BarColumns.Flags] = flags;
                break;
            case SchemaKind.Deltas:
            {
                var side = Field("side", "");
                row[DeltaColumns.Side] = side.Equals("bid", StringComparison.OrdinalIgnoreCase) || side.Equals("buy", StringComparison.OrdinalIgnoreCase) ? (long)BookSide.Bid
                    : side.Equals("ask", StringComparison.OrdinalIgnoreCase) || side.Equals("sell", StringComparison.OrdinalIgnoreCase) || side.Equals("offer", StringComparison.OrdinalIgnoreCase) ? (long)BookSide.Ask
                    : throw Error($"column 'side': '{side}' is not bid or ask");
                row[DeltaColumns.Price] = Price("price");
                row[DeltaColumns.Quantity] = Quantity(qtyName);
                row[DeltaColumns.FirstUpdateId] = Has("first_update_id") ? Int("first_update_id") : 0;
                row[DeltaColumns.LastUpdateId] = Has("last_update_id") ? Int("last_update_id") : 0;
                if (_tardis && Has("is_snapshot"))
                {
                    var snap = Field("is_snapshot", "");
                    if (snap.Equals("true", StringComparison.OrdinalIgnoreCase)) flags |= (long)RowFlags.FromSnapshot;
                    else if (!snap.Equals("false", StringComparison.OrdinalIgnoreCase)) throw Error($"column 'is_snapshot': '{snap}' is not true or false");
                }
                row[DeltaColumns.Flags] = flags;
                break;
            }
            case SchemaKind.Quotes or SchemaKind.Funding:
                for (int k = 2; k < _at.ColumnCount; k++)
                {
                    var col = _at.Columns[k];
                    if (col.Kind == ColumnKind.Flags) { row[k] = flags; continue; }
                    string? name = ColumnOf(col);
                    if (name is null || _f[_col[name]].IsEmpty) { row[k] = 0; continue; } // not given: 0 (unknown)
                    row[k] = col.Kind switch
                    {
                        ColumnKind.Price => Price(name),
                        ColumnKind.Quantity => Quantity(name),
                        ColumnKind.Decimal => DecimalColumn(name, _at.DecimalScale),
                        // Tardis gives times in µs; TickEngine's own layout in ns.
                        ColumnKind.Timestamp => name.EndsWith("_ns", StringComparison.Ordinal) ? Int(name) : Decimal(name, 3),
                        _ => Int(name),
                    };
                }
                break;
            case SchemaKind.L2:
            {
                int depth = _schema.Depth;
                row[L2Columns.UpdateId] = Has("update_id") ? Int("update_id") : 0;
                int bids = FillLevels(row, depth, bid: true);
                int asks = FillLevels(row, depth, bid: false);
                row[L2Columns.BidCount] = Has("bid_count") ? Int("bid_count") : bids;
                row[L2Columns.AskCount] = Has("ask_count") ? Int("ask_count") : asks;
                if (row[L2Columns.BidCount] != bids || row[L2Columns.AskCount] != asks)
                    throw Error($"bid_count/ask_count ({row[L2Columns.BidCount]}/{row[L2Columns.AskCount]}) differ from the levels present ({bids}/{asks})");
                row[L2Columns.Flags] = flags;
                break;
            }
        }
    }

    private int FillLevels(long[] row, int depth, bool bid)
    {
        int present = 0;
        bool gap = false;
        for (int i = 0; i < depth; i++)
        {
            string p = _tardis ? $"{(bid ? "bids" : "asks")}[{i}].price" : $"{(bid ? "bid" : "ask")}_price_{i + 1}";
            string q = _tardis ? $"{(bid ? "bids" : "asks")}[{i}].amount" : $"{(bid ? "bid" : "ask")}_qty_{i + 1}";
            if (!Has(p) || _f[_col[p]].IsEmpty)
            {
                gap = true;
                continue;
            }
            if (gap) throw Error($"column '{p}': a level follows an empty one; levels must be contiguous from the best price");
            int col = bid ? L2Columns.BidPrice(i) : L2Columns.AskPrice(depth, i);
            row[col] = Price(p);
            row[col + 1] = Quantity(q);
            present++;
        }
        return present;
    }

    private bool Has(string name) => _col.ContainsKey(name);

    /// <summary>The header name a layout column is read from: its CSV name, its own name, or Tardis's for it.</summary>
    private string? ColumnOf(ColumnSpec col)
    {
        string csv = ExportLayout.CsvName(col);
        if (Has(csv)) return csv;
        if (Has(col.Name)) return col.Name;
        string? tardis = col.Name switch
        {
            "bid_qty" => "bid_amount",
            "ask_qty" => "ask_amount",
            "next_funding" => "funding_timestamp",
            _ => null,
        };
        return tardis is not null && Has(tardis) ? tardis : null;
    }

    /// <summary>A decimal column at its own scale; a value that does not fit it is an error naming line and column.</summary>
    private long DecimalColumn(string name, int scale)
    {
        var text = Field(name, $"no '{name}' column");
        if (FixedDecimal.TryParse(text, scale, out long v, out var err)) return v;
        if (err is DecimalParseError.TooManyDecimals or DecimalParseError.OutOfRange) throw new NeedsSchema(false, DecimalScaleMarker + text.Trim().ToString());
        throw Error($"column '{name}': {FixedDecimal.Describe(err, text.ToString(), scale)}");
    }

    /// <summary>What a <see cref="NeedsSchema"/> text starts with when the decimal columns need another scale.</summary>
    private const string DecimalScaleMarker = "decimal:";

    private ReadOnlySpan<char> Field(string name, string missing)
    {
        if (!_col.TryGetValue(name, out int i)) throw Error(missing);
        return _f[i];
    }

    private long Price(string name) => Decimal(name, _at.PriceScale, price: true);

    private long Quantity(string name) => Decimal(name, _at.QuantityScale, price: false);

    private long Decimal(string name, int scale, bool price)
    {
        var text = Field(name, $"no '{name}' column");
        if (FixedDecimal.TryParse(text, scale, out long v, out var err)) return v;
        if (err is DecimalParseError.TooManyDecimals or DecimalParseError.OutOfRange) throw new NeedsSchema(price, text.Trim().ToString());
        throw Error($"column '{name}': {FixedDecimal.Describe(err, text.ToString(), scale)}");
    }

    /// <summary>Times and counts: fixed scales (ns from ms or µs), never moved.</summary>
    private long Decimal(string name, int scale)
    {
        var text = Field(name, $"no '{name}' column");
        if (FixedDecimal.TryParse(text, scale, out long v, out var err)) return v;
        throw Error($"column '{name}': {FixedDecimal.Describe(err, text.ToString(), scale)}");
    }

    private long Int(string name)
    {
        var text = Field(name, $"no '{name}' column");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v)) return v;
        throw Error($"column '{name}': '{text}' is not a whole number");
    }

    private long TradeSideOf(string name)
    {
        var s = Field(name, "");
        if (s.Equals("buy", StringComparison.OrdinalIgnoreCase)) return (long)TradeSide.Buy;
        if (s.Equals("sell", StringComparison.OrdinalIgnoreCase)) return (long)TradeSide.Sell;
        if (s.IsEmpty || s.Equals("unknown", StringComparison.OrdinalIgnoreCase)) return (long)TradeSide.Unknown;
        throw Error($"column '{name}': '{s}' is not buy, sell or unknown");
    }

    private InputException Error(string problem) =>
        new($"{_file}: line {_line}: {problem}; {Rows:N0} rows before it were imported and kept");
}
