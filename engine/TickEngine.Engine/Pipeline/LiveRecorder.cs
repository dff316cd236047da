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
    {
        Pipe = new FramePipe();
        bool books = options.Types.Contains(SchemaKind.L2) || options.Types.Contains(SchemaKind.Deltas);
        bool trades = options.Types.Contains(SchemaKind.Trades) || options.Types.Contains(SchemaKind.Bars);
        Feed = new BinanceLiveFeed(live, symbols, trades, books, Pipe);
        Pipeline = new RecordPipeline(options, Feed);
        foreach (var s in symbols) Pipeline.Registry.GetOrAdd(Pipeline.Adapter.Exchange, s);
    }

    public FramePipe Pipe { get; }
    public BinanceLiveFeed Feed { get; }
    public RecordPipeline Pipeline { get; }

    public void Start()
    {
        Pipeline.Start();
        _producerTask = Task.Run(() => Pipe.RunProducerAsync(Pipeline.Adapter, CancellationToken.None));
        _feedTask = Task.Run(() => Feed.RunAsync(_feedStop.Token));
    }

    public async Task StopAsync()
    {
        _feedStop.Cancel();
        if (_feedTask is not null) await _feedTask;
        Pipe.Complete();
        if (_producerTask is not null) await _producerTask;
        Pipeline.Stop();
        Feed.Dispose();
    }
}
