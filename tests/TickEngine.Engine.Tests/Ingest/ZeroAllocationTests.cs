using System.Text;
using TickEngine.Engine.Events;
using TickEngine.Engine.Handlers;
using TickEngine.Engine.Sinks;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Ingest;

/// <summary>
/// Steady-state allocation of the hot paths over the real Binance frames: the first third warms up (JIT, the
/// symbol's registration, the book's snapshot), the rest is measured and must allocate 0 bytes.
/// </summary>
public class ZeroAllocationTests
{
    private static (List<(long Ns, byte[] Frame, bool IsRest)> Frames, int WarmUp, int End) Frames()
    {
        var lines = CaptureLines.BinanceSpot();
        var frames = lines.Select(l => (l.Ns, Encoding.UTF8.GetBytes(l.Frame), l.Frame.StartsWith("{\"lastUpdateId\"", StringComparison.Ordinal))).ToList();
        // Stop before UTC midnight: a new day opens new segments (once a day, not per frame).
        int end = frames.FindIndex(f => Encoding.UTF8.GetString(f.Item2).Contains("\"E\":17231616", StringComparison.Ordinal));
        if (end < 0) end = frames.Count;
        return (frames, frames.Count / 3, end);
    }

    [Fact]
    public void ParseAndPublishAllocateNothingPerFrame()
    {
        var (frames, warm, end) = Frames();
        var ring = new ValueDisruptor<MarketEvent>(1 << 19); // no handlers: the producer never waits
        var publisher = new EventPublisher(ring.Ring, ring.Sequencer);
        var adapter = new BinanceAdapter(new InstrumentRegistry(), publisher, futures: false);
        void Feed(int from, int to)
        {
            for (int i = from; i < to; i++)
            {
                var (ns, frame, rest) = frames[i];
                if (rest) adapter.OnRest(frame, ns, null);
                else adapter.OnFrame(frame, ns);
            }
        }
        long allocated = Allocations.Measure(() => Feed(0, warm), () => Feed(warm, end));
        Assert.Equal(0, allocated);
        Assert.Equal(0, adapter.Counters.Malformed);
        Assert.True(adapter.Counters.DiffsApplied > 2000);
    }

    [Fact]
    public void EveryHandlerAllocatesNothingPerEvent()
    {
        var (frames, warm, end) = Frames();
        // Record the events the adapter publishes, then hand them to each handler on this thread.
        var ring = new ValueDisruptor<MarketEvent>(1 << 19);
        var publisher = new EventPublisher(ring.Ring, ring.Sequencer);
        var registry = new InstrumentRegistry();
        var adapter = new BinanceAdapter(registry, publisher, futures: false);
        int warmEvents = 0;
        for (int i = 0; i < end; i++)
        {
            var (ns, frame, rest) = frames[i];
            if (rest) adapter.OnRest(frame, ns, null); else adapter.OnFrame(frame, ns);
            if (i == warm) warmEvents = (int)publisher.Published;
        }
        int total = (int)publisher.Published;
        var events = new MarketEvent[total];
        for (int i = 0; i < total; i++) events[i] = ring.Ring[i];

        using var dir = new TempDir();
        // Files sized up front: a segment grows by doubling (a remap per doubling, not per event).
        var big = new Storage.Writing.SegmentWriterOptions { InitialCapacity = 64 << 20 };
        var handlers = new IValueEventHandler<MarketEvent>[]
        {
            new EventRowWriterHandler(new RowOutput(SchemaKind.Trades, registry, new SegmentSink(dir.File("t"), big), depth: 0, commitInterval: TimeSpan.FromSeconds(1)), TickEngine.Engine.Schemas.SchemaDefinitions.Of(SchemaKind.Trades)),
            new EventRowWriterHandler(new RowOutput(SchemaKind.Deltas, registry, new SegmentSink(dir.File("d"), big), depth: 0, commitInterval: TimeSpan.FromSeconds(1)), TickEngine.Engine.Schemas.SchemaDefinitions.Of(SchemaKind.Deltas)),
            new L2SamplerHandler(new RowOutput(SchemaKind.L2, registry, new SegmentSink(dir.File("l"), big), depth: 5, commitInterval: TimeSpan.FromSeconds(1)), 5, 1_000_000_000),
            new BarAggregatorHandler(new RowOutput(SchemaKind.Bars, registry, new SegmentSink(dir.File("b"), big), depth: 0, commitInterval: TimeSpan.FromSeconds(1))),
            new EventRowWriterHandler(new RowOutput(SchemaKind.Status, registry, new SegmentSink(dir.File("s"), big), depth: 0, commitInterval: TimeSpan.FromSeconds(1)), TickEngine.Engine.Schemas.SchemaDefinitions.Of(SchemaKind.Status)),
        };
        foreach (var h in handlers)
        {
            void Run(int from, int to)
            {
                for (int i = from; i < to; i++) h.OnEvent(ref events[i], i, (i & 63) == 63 || i == to - 1);
            }
            long allocated = Allocations.Measure(() => Run(0, warmEvents), () => Run(warmEvents, total));
            Assert.True(allocated == 0, $"{h.GetType().Name} allocated {allocated} bytes over {total - warmEvents} events");
            h.OnShutdown();
        }
    }

    /// <summary>A sink that takes nothing while its gate is closed (the runner's thread waits in it).</summary>
    private sealed class GatedSink : ISink
    {
        public readonly ManualResetEventSlim Gate = new(true);
        public long Rows;
        public string Name => "gated";
        public string Target => "gated:test";
        public bool Durable => false;
        public bool Accepts(SchemaKind schema) => true;
        public ValueTask<IReadOnlyList<SinkDurable>> OpenAsync(CancellationToken cancel) => ValueTask.FromResult<IReadOnlyList<SinkDurable>>([]);
        public ValueTask WriteAsync(RowBatch batch, CancellationToken cancel)
        {
            Gate.Wait(cancel);
            Interlocked.Add(ref Rows, batch.Count);
            return ValueTask.CompletedTask;
        }
        public ValueTask<SinkFlushResult> FlushAsync(SinkFlushKind kind, CancellationToken cancel) => ValueTask.FromResult(SinkFlushResult.None);
        public ValueTask<IReadOnlyList<SinkDurable>> RecoverAsync(CancellationToken cancel) => ValueTask.FromResult<IReadOnlyList<SinkDurable>>([]);
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public void HandingCommittedRowsToASinkAllocatesNothingOnTheHandlerThread()
    {
        var (frames, _, end) = Frames();
        var ring = new ValueDisruptor<MarketEvent>(1 << 19);
        var publisher = new EventPublisher(ring.Ring, ring.Sequencer);
        var registry = new InstrumentRegistry();
        var adapter = new BinanceAdapter(registry, publisher, futures: false);
        for (int i = 0; i < end; i++)
        {
            var (ns, frame, rest) = frames[i];
            if (rest) adapter.OnRest(frame, ns, null); else adapter.OnFrame(frame, ns);
        }
        int total = (int)publisher.Published;
        var events = new MarketEvent[total];
        for (int i = 0; i < total; i++) events[i] = ring.Ring[i];

        using var dir = new TempDir();
        var sink = new GatedSink();
        var runner = new SinkRunner(dir.Path, new SinkRegistration(sink, new SinkOptions { PauseRows = long.MaxValue / 2 }));
        runner.Start();
        var big = new Storage.Writing.SegmentWriterOptions { InitialCapacity = 64 << 20 };
        var output = new RowOutput(SchemaKind.Deltas, registry, new SegmentSink(dir.Path, big), [runner], depth: 0, commitInterval: TimeSpan.FromSeconds(1));
        var handler = new EventRowWriterHandler(output, TickEngine.Engine.Schemas.SchemaDefinitions.Of(SchemaKind.Deltas));
        // The same events twice, the sink held back each time while the handler runs: the second pass finds the
        // batches, the queue and the lag ranges the first pass grew, and must not allocate.
        void Pass()
        {
            sink.Gate.Reset();
            for (int i = 0; i < total; i++) handler.OnEvent(ref events[i], i, (i & 63) == 63 || i == total - 1);
            output.Flush();
        }
        void Drain()
        {
            sink.Gate.Set();
            var sw = System.Diagnostics.Stopwatch.StartNew();
            while (runner.Lag().Rows > 0 && sw.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(5);
            Assert.Equal(0, runner.Lag().Rows);
        }
        Pass();
        Drain();
        long allocated = Allocations.MeasureOnly(Pass);
        Drain();
        Assert.True(allocated == 0, $"the handler allocated {allocated} bytes handing {output.Rows / 2:N0} rows to a sink");
        handler.OnShutdown();
        Assert.True(runner.Complete(CancellationToken.None, TimeSpan.FromSeconds(1)));
        Assert.Equal(output.Rows, sink.Rows);
    }
}
