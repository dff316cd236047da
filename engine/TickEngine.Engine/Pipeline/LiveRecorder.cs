using TickEngine.Engine.Live;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Pipeline;

/// <summary>
/// A live recording: <see cref="BinanceLiveFeed"/> connections into a <see cref="FramePipe"/>, one producer into
/// the <see cref="RecordPipeline"/>. <see cref="StopAsync"/> closes the connections, lets the producer read what the
/// pipe still holds, then drains the ring through every handler and seals the segments.
/// </summary>
public sealed class LiveRecorder
{
    private readonly CancellationTokenSource _feedStop = new();
    private Task? _feedTask;
    private Task? _producerTask;

    public LiveRecorder(RecordOptions options, LiveOptions live, IReadOnlyList<string> symbols)
        : this(options, [(options.Exchange, live, symbols)])
    {
    }

    /// <summary>Several exchanges in one process: a feed each (its own connections), one pipe, one ring.</summary>
    public LiveRecorder(RecordOptions options, IReadOnlyList<(string Exchange, LiveOptions Live, IReadOnlyList<string> Symbols)> exchanges)
    {
        Pipe = new FramePipe(options.MaxFrameBytes);
        bool books = options.Types.Contains(SchemaKind.L2) || options.Types.Contains(SchemaKind.Deltas);
        bool trades = options.Types.Contains(SchemaKind.Trades) || options.Types.Contains(SchemaKind.Bars);
        for (int i = 0; i < exchanges.Count; i++)
        {
            // A venue with its own connection plans (Bybit, ...) gets the venue-neutral feed; Binance keeps its feed with REST snapshots.
            var venue = Venues.VenueRegistry.Find(exchanges[i].Exchange);
            if (venue?.LivePlans is { } plans)
                Feeds.Add(new WebSocketFeed(exchanges[i].Live, plans(new Venues.LiveRequest(exchanges[i].Exchange, exchanges[i].Symbols, trades, books, exchanges[i].Live.VenueBase)), Pipe, (byte)i));
            else Feeds.Add(new BinanceLiveFeed(exchanges[i].Live, exchanges[i].Symbols, trades, books, Pipe, source: (byte)i));
        }
        Pipeline = new RecordPipeline(options, exchanges.Select((e, i) => (e.Exchange, Feeds[i] as Ingest.ISnapshotRequester)).ToList());
        for (int i = 0; i < exchanges.Count; i++)
            if (Feeds[i] is BinanceLiveFeed) // venues with several markets register their instruments per connection as frames come
                foreach (var s in exchanges[i].Symbols) Pipeline.Registry.GetOrAdd(Pipeline.Adapters[i].Exchange, s);
    }

    public FramePipe Pipe { get; }

    /// <summary>The first exchange's feed.</summary>
    public ILiveFeed Feed => Feeds[0];

    public List<ILiveFeed> Feeds { get; } = new();
    public RecordPipeline Pipeline { get; }

    public void Start()
    {
        Pipeline.Start();
        var adapters = Pipeline.Adapters.Cast<Ingest.IExchangeAdapter>().ToList();
        _producerTask = Task.Run(() => Pipe.RunProducerAsync(adapters, CancellationToken.None));
        _feedTask = Task.WhenAll(Feeds.Select(f => Task.Run(() => f.RunAsync(_feedStop.Token))));
    }

    /// <summary>Reconnects over all feeds.</summary>
    public long Reconnects => Feeds.Sum(f => f.Reconnects);

    public async Task StopAsync()
    {
        _feedStop.Cancel();
        if (_feedTask is not null) await _feedTask;
        Pipe.Complete();
        if (_producerTask is not null) await _producerTask;
        Pipeline.Stop();
        foreach (var f in Feeds) f.Dispose();
    }
}
