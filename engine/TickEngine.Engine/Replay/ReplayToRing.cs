using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Replay;

/// <summary>
/// The one composition of a replay: stored rows read in order (<see cref="ReplayReader"/>), published as events
/// (<see cref="ReplayPublisher"/>, paced by <c>speed</c>) onto a ring whose one handler (a printer, a backtest, an
/// analysis) sees them on its own thread; the ring is drained and shut down before it returns. <c>replay</c>,
/// <c>slippage</c>, <c>backtest</c> and <c>tune</c> all run through it.
/// </summary>
public static class ReplayToRing
{
    /// <summary>
    /// Replays <paramref name="reader"/> to <paramref name="handler"/> until the rows end or <paramref name="cancel"/>.
    /// A damaged segment that stops the replay is returned (<see cref="ReplayOutcome.Stopped"/>); a handler that
    /// failed is thrown (<see cref="InvalidOperationException"/> naming it). <paramref name="progress"/> is told the
    /// events published, about every <paramref name="progressEvery"/>.
    /// </summary>
    public static ReplayOutcome Run(ReplayReader reader, InstrumentRegistry registry, IValueEventHandler<MarketEvent> handler, double speed = 0,
        int ringSize = 1 << 14, CancellationToken cancel = default, Action<long>? progress = null, long progressEvery = 1_000_000)
    {
        var disruptor = new ValueDisruptor<MarketEvent>(ringSize);
        disruptor.HandleEventsWith(handler);
        var publisher = new EventPublisher(disruptor.Ring, disruptor.Sequencer);
        var replay = new ReplayPublisher(reader, registry, publisher, speed);
        StorageFormatException? stopped = null;
        disruptor.Start();
        try
        {
            if (progress is null) replay.Run(cancel);
            else
            {
                while (!cancel.IsCancellationRequested)
                {
                    long before = replay.Events;
                    replay.Run(cancel, progressEvery);
                    progress(replay.Events);
                    if (replay.Events - before < progressEvery) break;
                }
            }
        }
        catch (StorageFormatException e)
        {
            stopped = e;
        }
        finally
        {
            disruptor.Shutdown();
        }
        foreach (var (name, fault) in disruptor.Faults) throw new InvalidOperationException($"{name}: {fault.Message}", fault);
        return new ReplayOutcome(replay.Events, replay.FirstTimestamp, replay.LastTimestamp, stopped);
    }
}
