using System.Collections.Concurrent;
using TickEngine.Engine.Sinks;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Service;

/// <summary>One candle: a bar as the bars schema stores it (prices and quantities as mantissas at the ring's scales).</summary>
public readonly record struct Candle(long OpenTime, long Open, long High, long Low, long Close, long Volume, long BuyVolume, long Trades, long Flags);

/// <summary>
/// The last <see cref="Capacity"/> candles of one exchange, symbol and interval, as columns (struct of arrays, fixed
/// capacity): a candle comes in at its open time (the same open time again replaces it: a sink may be given a row
/// twice), older ones are dropped. <see cref="Latest"/> copies into the caller's span: nothing is allocated per row.
/// Thread-safe (one writer, many readers, a lock each).
/// </summary>
public sealed class CandleRing(int capacity, int priceScale, int quantityScale)
{
    private readonly long[] _time = new long[capacity], _open = new long[capacity], _high = new long[capacity], _low = new long[capacity],
        _close = new long[capacity], _volume = new long[capacity], _buy = new long[capacity], _trades = new long[capacity], _flags = new long[capacity];
    private int _start, _count;
    private readonly Lock _lock = new();

    public int Capacity => capacity;
    public int PriceScale { get; private set; } = priceScale;
    public int QuantityScale { get; private set; } = quantityScale;
    public int Count { get { lock (_lock) return _count; } }

    /// <summary>Adds a candle (or replaces the one at its open time); one older than the newest is ignored. Candles at other scales clear the ring (they are not comparable).</summary>
    public void Add(in Candle c, int priceScale, int quantityScale)
    {
        lock (_lock)
        {
            if (priceScale != PriceScale || quantityScale != QuantityScale) { _count = 0; _start = 0; PriceScale = priceScale; QuantityScale = quantityScale; }
            int last = (_start + _count - 1) % capacity;
            if (_count > 0 && c.OpenTime < _time[last]) return;
            int at;
            if (_count > 0 && c.OpenTime == _time[last]) at = last;
            else if (_count < capacity) at = (_start + _count++) % capacity;
            else { at = _start; _start = (_start + 1) % capacity; }
            _time[at] = c.OpenTime; _open[at] = c.Open; _high[at] = c.High; _low[at] = c.Low; _close[at] = c.Close;
            _volume[at] = c.Volume; _buy[at] = c.BuyVolume; _trades[at] = c.Trades; _flags[at] = c.Flags;
        }
    }

    /// <summary>The newest <c>min(n, Count, destination.Length)</c> candles, oldest first, into <paramref name="destination"/>; returns how many.</summary>
    public int Latest(int n, Span<Candle> destination)
    {
        lock (_lock)
        {
            int k = Math.Min(Math.Min(n, _count), destination.Length);
            for (int i = 0; i < k; i++)
            {
                int at = (_start + _count - k + i) % capacity;
                destination[i] = new Candle(_time[at], _open[at], _high[at], _low[at], _close[at], _volume[at], _buy[at], _trades[at], _flags[at]);
            }
            return k;
        }
    }
}

/// <summary>
/// Rolling candle buffers per exchange, symbol and interval (1m, 5m, 15m, 1h, 4h, 1d: the bars the recording writes,
/// so every timeframe comes from the same trades and agrees with the others), warmed from a data root's stored bars
/// and kept current as a sink of the recording (only committed bars). Not durable: it holds the last candles in memory.
/// </summary>
public sealed class CandleBuffers(int capacity = 100) : ISink
{
    private readonly ConcurrentDictionary<(string Exchange, string Symbol, long Interval), CandleRing> _rings = new();

    public int Capacity => capacity;
    public string Name => "candles";
    public string Target => "candles:memory";
    public bool Durable => false;
    public bool Accepts(SchemaKind schema) => schema == SchemaKind.Bars;

    /// <summary>The ring of an exchange, symbol and interval (ns), or null when no candle of it was seen.</summary>
    public CandleRing? Find(string exchange, string symbol, long intervalNs) =>
        _rings.TryGetValue((exchange.ToLowerInvariant(), symbol.ToUpperInvariant(), intervalNs), out var r) ? r : null;

    public IEnumerable<(string Exchange, string Symbol, long Interval, CandleRing Ring)> All => _rings.Select(kv => (kv.Key.Exchange, kv.Key.Symbol, kv.Key.Interval, kv.Value));

    private void Add(string exchange, string symbol, SegmentSchema schema, ReadOnlySpan<long> row)
    {
        int ps = schema.Columns[BarColumns.Open].Scale, qs = schema.Columns[BarColumns.Volume].Scale;
        var ring = _rings.GetOrAdd((exchange.ToLowerInvariant(), symbol.ToUpperInvariant(), row[BarColumns.Interval]), _ => new CandleRing(capacity, ps, qs));
        ring.Add(new Candle(row[BarColumns.OpenTime], row[BarColumns.Open], row[BarColumns.High], row[BarColumns.Low], row[BarColumns.Close],
            row[BarColumns.Volume], row[BarColumns.BuyVolume], row[BarColumns.TradeCount], row[BarColumns.Flags]), ps, qs);
    }

    /// <summary>Fills the buffers from the stored bars of <paramref name="root"/> (every bars segment, in day order: the newest candles stay).</summary>
    public long Warm(string root, CancellationToken cancel = default)
    {
        long rows = 0;
        Span<long> row = stackalloc long[BarColumns.Count];
        foreach (var path in DataRoot.FindSegments(root, SchemaKind.Bars))
        {
            if (cancel.IsCancellationRequested) break;
            string symbolDir = Path.GetDirectoryName(Path.GetDirectoryName(path)!)!;
            string exchange = Path.GetFileName(Path.GetDirectoryName(symbolDir)!), symbol = Path.GetFileName(symbolDir);
            try
            {
                using var reader = SegmentReader.Open(path);
                using var cur = new SegmentCursor(reader, ownsReader: false);
                while (cur.MoveNext())
                {
                    for (int k = 0; k < BarColumns.Count; k++) row[k] = cur[k];
                    Add(exchange, symbol, reader.Schema, row);
                    rows++;
                }
            }
            catch (StorageFormatException) { /* a damaged segment warms nothing; validate names it */ }
        }
        return rows;
    }

    public ValueTask<IReadOnlyList<SinkDurable>> OpenAsync(CancellationToken cancel) => ValueTask.FromResult<IReadOnlyList<SinkDurable>>([]);

    public ValueTask WriteAsync(RowBatch batch, CancellationToken cancel)
    {
        Span<long> row = stackalloc long[BarColumns.Count];
        for (int i = 0; i < batch.Count; i++)
        {
            batch.CopyRow(i, row);
            Add(batch.Stream.Exchange, batch.Stream.Symbol, batch.Schema, row);
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<SinkFlushResult> FlushAsync(SinkFlushKind kind, CancellationToken cancel) => ValueTask.FromResult(SinkFlushResult.None);
    public ValueTask<IReadOnlyList<SinkDurable>> RecoverAsync(CancellationToken cancel) => ValueTask.FromResult<IReadOnlyList<SinkDurable>>([]);
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
