using System.Threading.Channels;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine;

/// <summary>A normalised trade: exact price and quantity, both clocks (ns since the epoch, UTC), the aggressor's side.</summary>
public readonly record struct Tick(string Exchange, string Symbol, long ExchangeTimeNs, long ReceiveTimeNs, decimal Price, decimal Quantity, TradeSide Side, long TradeId);

/// <summary>One row of a <see cref="MarketDataBuffer"/>: mantissas at the buffer's scales.</summary>
public readonly record struct TradeRow(long ExchangeTimeNs, long ReceiveTimeNs, long Price, long Quantity, TradeSide Side);

/// <summary>
/// The last <see cref="Capacity"/> trades of one symbol as columns (struct of arrays, fixed capacity), filled on the
/// stream's handler thread. <see cref="Latest"/> and <see cref="Range"/> copy into the caller's span and allocate
/// nothing per row. Thread-safe (a lock).
/// </summary>
public sealed class MarketDataBuffer(string exchange, string symbol, int capacity)
{
    private readonly long[] _time = new long[capacity], _receive = new long[capacity], _price = new long[capacity], _qty = new long[capacity];
    private readonly byte[] _side = new byte[capacity];
    private int _start, _count;
    private readonly Lock _lock = new();

    public string Exchange => exchange;
    public string Symbol => symbol;
    public int Capacity => capacity;
    public int PriceScale { get; private set; }
    public int QuantityScale { get; private set; }
    public int Count { get { lock (_lock) return _count; } }

    internal void Add(in MarketEvent e, int priceScale, int quantityScale)
    {
        lock (_lock)
        {
            if (priceScale != PriceScale || quantityScale != QuantityScale) { _count = _start = 0; PriceScale = priceScale; QuantityScale = quantityScale; }
            int at;
            if (_count < capacity) at = (_start + _count++) % capacity;
            else { at = _start; _start = (_start + 1) % capacity; }
            _time[at] = e.ExchangeTime; _receive[at] = e.ReceiveTime; _price[at] = e.Price; _qty[at] = e.Quantity; _side[at] = e.Side;
        }
    }

    private TradeRow Row(int at) => new(_time[at], _receive[at], _price[at], _qty[at], (TradeSide)_side[at]);

    /// <summary>The newest <c>min(n, Count, destination.Length)</c> trades, oldest first; returns how many.</summary>
    public int Latest(int n, Span<TradeRow> destination)
    {
        lock (_lock)
        {
            int k = Math.Min(Math.Min(n, _count), destination.Length);
            for (int i = 0; i < k; i++) destination[i] = Row((_start + _count - k + i) % capacity);
            return k;
        }
    }

    /// <summary>The held trades with exchange time in [<paramref name="fromNs"/>, <paramref name="toNs"/>), oldest first, up to the span's length; returns how many.</summary>
    public int Range(long fromNs, long toNs, Span<TradeRow> destination)
    {
        lock (_lock)
        {
            int k = 0;
            for (int i = 0; i < _count && k < destination.Length; i++)
            {
                int at = (_start + i) % capacity;
                if (_time[at] >= fromNs && _time[at] < toNs) destination[k++] = Row(at);
            }
            return k;
        }
    }

    /// <summary>A mantissa of this buffer as a decimal (exact).</summary>
    public decimal Price(long mantissa) => Decimal(mantissa, PriceScale);
    public decimal Quantity(long mantissa) => Decimal(mantissa, QuantityScale);

    internal static decimal Decimal(long mantissa, int scale) => new decimal(Math.Abs(mantissa)) / Pow10[scale] * Math.Sign(mantissa);
    private static readonly decimal[] Pow10 = Enumerable.Range(0, 29).Select(i => { decimal p = 1; for (int k = 0; k < i; k++) p *= 10; return p; }).ToArray();
}

/// <summary>Where a <see cref="MarketDataStream"/> comes from: a live venue (recorded into <see cref="DataRoot"/> as it goes) or a recording replayed.</summary>
public sealed record MarketDataOptions
{
    /// <summary>The venue's id (binance, bybit, okx, coinbase, projectx, ...); live only.</summary>
    public string Exchange { get; init; } = "binance";
    public required IReadOnlyList<string> Symbols { get; init; }
    /// <summary>Live: where the recording goes. Replay: the recording.</summary>
    public required string DataRoot { get; init; }
    /// <summary>Live: the venue's connection rules and endpoints (a simulator's, say).</summary>
    public LiveOptions Live { get; init; } = LiveOptions.Default;
    /// <summary>Trades each symbol's <see cref="MarketDataBuffer"/> keeps.</summary>
    public int BufferCapacity { get; init; } = 10_000;
    /// <summary>Ticks waiting for the <see cref="MarketDataStream.Trades"/> reader; a live stream drops the oldest (counted) rather than slow the capture, a replay waits.</summary>
    public int QueueCapacity { get; init; } = 100_000;
    /// <summary>
    /// Queue ticks for <see cref="MarketDataStream.Trades"/> (default). Off when only <see cref="MarketDataStream.OnTrade"/>
    /// and the buffers are used: a replay then never waits for a reader.
    /// </summary>
    public bool Enumerate { get; init; } = true;
    /// <summary>Replay: its pace (0: as fast as it goes; 1: as recorded).</summary>
    public double Speed { get; init; }
    /// <summary>Replay: the period (exchange time).</summary>
    public long StartNs { get; init; } = long.MinValue;
    public long EndNs { get; init; } = long.MaxValue;
}

/// <summary>
/// TickEngine as a library: <c>await using var stream = await MarketData.Connect(options)</c> for a live venue (its
/// connections, book sync and recording, as <c>tickengine record</c>), or <c>MarketData.Replay(options)</c> for a
/// recording; the same <see cref="MarketDataStream"/> either way, so a strategy runs unchanged on both.
/// </summary>
public static class MarketData
{
    public static Task<MarketDataStream> Connect(MarketDataOptions options, CancellationToken cancel = default)
    {
        var stream = new MarketDataStream(options, live: true);
        var record = new RecordOptions
        {
            Root = options.DataRoot, Exchange = TickEngine.Engine.Venues.VenueRegistry.StoredId(options.Exchange),
            Types = new HashSet<SchemaKind> { SchemaKind.Trades, SchemaKind.Deltas, SchemaKind.L2, SchemaKind.Bars },
            ExtraHandlers = [stream.Handler],
        };
        var recorder = new LiveRecorder(record, [(record.Exchange, options.Live, options.Symbols)]);
        stream.Handler.Registry = recorder.Pipeline.Registry;
        stream.Attach(recorder);
        recorder.Start();
        return Task.FromResult(stream);
    }

    public static MarketDataStream Replay(MarketDataOptions options, CancellationToken cancel = default)
    {
        var stream = new MarketDataStream(options, live: false);
        var selection = new ReplaySelection
        {
            Root = options.DataRoot, Symbols = options.Symbols.ToArray(), Schemas = new HashSet<SchemaKind> { SchemaKind.Trades },
            StartNs = options.StartNs, EndNs = options.EndNs, Damage = DamagePolicy.Report,
        };
        var registry = new InstrumentRegistry();
        stream.Handler.Registry = registry;
        stream.Run(Task.Run(() =>
        {
            using var reader = new ReplayReader(selection);
            ReplayToRing.Run(reader, registry, stream.Handler, options.Speed, cancel: stream.Stopping);
        }));
        return stream;
    }
}

/// <summary>
/// A stream of normalised trades from a live venue or a recording: <see cref="Trades"/> as an
/// <see cref="IAsyncEnumerable{T}"/>, <see cref="OnTrade"/> callbacks (on the stream's thread), a
/// <see cref="MarketDataBuffer"/> per symbol, and the connections' states (live).
/// </summary>
public sealed class MarketDataStream : IAsyncDisposable
{
    private readonly MarketDataOptions _options;
    private readonly Channel<Tick> _ticks;
    private readonly CancellationTokenSource _stop = new();
    private LiveRecorder? _recorder;
    private Task _task = Task.CompletedTask;

    internal MarketDataStream(MarketDataOptions options, bool live)
    {
        _options = options;
        IsLive = live;
        _ticks = Channel.CreateBounded<Tick>(new BoundedChannelOptions(options.QueueCapacity)
        {
            SingleWriter = true,
            FullMode = live ? BoundedChannelFullMode.DropOldest : BoundedChannelFullMode.Wait,
        }, live ? _ => Interlocked.Increment(ref _dropped) : null);
        Handler = new TickHandler(this);
    }

    public bool IsLive { get; }
    internal TickHandler Handler { get; }
    internal CancellationToken Stopping => _stop.Token;
    private long _dropped;

    /// <summary>Ticks the <see cref="Trades"/> reader did not take in time (live only: the oldest are dropped, never the capture slowed).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Called for each trade on the stream's own thread (keep it short).</summary>
    public event Action<Tick>? OnTrade;

    /// <summary>The live connections' states (empty for a replay).</summary>
    public IReadOnlyList<ConnectionState> States => _recorder?.Feeds.SelectMany(f => f.Connections).Select(c => c.State).ToList() ?? [];

    /// <summary>Completes when a replay has given every trade (never for a live stream until it is disposed).</summary>
    public Task Completion => _task;

    private readonly Dictionary<int, MarketDataBuffer> _buffers = new();
    private readonly Lock _lock = new();

    /// <summary>The symbol's buffer (made on its first trade), or null.</summary>
    public MarketDataBuffer? Buffer(string symbol)
    {
        lock (_lock) return _buffers.Values.FirstOrDefault(b => string.Equals(b.Symbol, symbol, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Every trade as it comes (a replay's end completes it).</summary>
    public IAsyncEnumerable<Tick> Trades(CancellationToken cancel = default) => _ticks.Reader.ReadAllAsync(cancel);

    internal void Attach(LiveRecorder recorder) => _recorder = recorder;

    internal void Run(Task task) => _task = task.ContinueWith(t => { _ticks.Writer.TryComplete(t.Exception); }, TaskScheduler.Default);

    internal void Publish(in MarketEvent e, Instrument inst)
    {
        MarketDataBuffer? buffer;
        lock (_lock)
            if (!_buffers.TryGetValue(inst.Id, out buffer)) _buffers[inst.Id] = buffer = new MarketDataBuffer(inst.Exchange, inst.Symbol, _options.BufferCapacity);
        buffer.Add(e, inst.PriceScale, inst.QuantityScale);
        var tick = new Tick(inst.Exchange, inst.Symbol, e.ExchangeTime, e.ReceiveTime, MarketDataBuffer.Decimal(e.Price, inst.PriceScale),
            MarketDataBuffer.Decimal(e.Quantity, inst.QuantityScale), (TradeSide)e.Side, e.Id);
        OnTrade?.Invoke(tick);
        if (!_options.Enumerate) return;
        if (IsLive) _ticks.Writer.TryWrite(tick);
        else _ticks.Writer.WriteAsync(tick, _stop.Token).AsTask().GetAwaiter().GetResult(); // a replay waits for its reader
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_recorder is not null) await _recorder.StopAsync();
        _ticks.Writer.TryComplete();
        try { await _task; } catch (OperationCanceledException) { }
    }

    /// <summary>The ring handler that turns trade events into ticks (the stream's thread).</summary>
    internal sealed class TickHandler(MarketDataStream stream) : IValueEventHandler<MarketEvent>
    {
        public InstrumentRegistry? Registry { get; set; }

        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
        {
            if (e.Kind != EventKind.Trade || Registry is null) return;
            stream.Publish(e, Registry[e.InstrumentId]);
        }

        public void OnShutdown() { }
    }
}
