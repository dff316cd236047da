using TickEngine.Engine.Live;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Pipeline;

/// <summary>
/// A live recording: the venues' live feeds into a <see cref="FramePipe"/>, one producer into
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
            var (exchange, live, symbols) = exchanges[i];
            var venue = Venues.VenueRegistry.Find(exchange) ?? throw new ArgumentException($"no venue is named '{exchange}' (venues: {Venues.VenueRegistry.Names})");
            var request = new Venues.LiveRequest(exchange, symbols, trades, books, live.VenueBase)
            {
                Quotes = options.Types.Contains(SchemaKind.Quotes),
                Funding = options.Types.Contains(SchemaKind.Funding),
            };
            Feeds.Add(venue.CreateFeed(new Venues.LiveFeedRequest(live, request, Pipe, (byte)i))
                      ?? throw new ArgumentException($"{venue.Name} is recorded from captures and archives only, not live"));
        }
        Pipeline = new RecordPipeline(options, exchanges.Select((e, i) => (e.Exchange, Feeds[i] as Ingest.ISnapshotRequester)).ToList());
        // A feed that knows its instruments up front registers them; venues with several markets register theirs per connection as frames come.
        for (int i = 0; i < exchanges.Count; i++) Feeds[i].Register(Pipeline.Registry, Pipeline.Adapters[i].Exchange);
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

    /// <param name="cancel">Cancelled when the stop must be quick (Ctrl+C, SIGTERM): sinks get a short grace, not their drain time.</param>
    public async Task StopAsync(CancellationToken cancel = default)
    {
        _feedStop.Cancel();
        if (_feedTask is not null) await _feedTask;
        Pipe.Complete();
        if (_producerTask is not null) await _producerTask;
        Pipeline.Stop(cancel);
        foreach (var f in Feeds) f.Dispose();
    }
}
