using System.Runtime.CompilerServices;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using Xunit;

namespace TickEngine.Engine.Tests.Ring;

public class RingTests
{
    private sealed class Recorder(int delayEvery = 0) : IValueEventHandler<MarketEvent>
    {
        public readonly List<long> Seen = new();
        public int Batches;
        public bool Started, Stopped;

        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
        {
            Seen.Add(e.Id);
            if (endOfBatch) Batches++;
            if (delayEvery > 0 && sequence % delayEvery == 0) Thread.Sleep(1);
        }

        public void OnStart() => Started = true;
        public void OnShutdown() => Stopped = true;
    }

    public static TheoryData<string> Strategies => new() { "blocking", "yielding", "sleeping" };

    private static IWaitStrategy Make(string name) => name switch
    {
        "blocking" => new BlockingWaitStrategy(),
        "yielding" => new YieldingWaitStrategy(),
        _ => new SleepingWaitStrategy(),
    };

    [Theory]
    [MemberData(nameof(Strategies))]
    public void EveryHandlerSeesEveryEventInOrderAndNothingIsOverwritten(string strategy)
    {
        var d = new ValueDisruptor<MarketEvent>(64, Make(strategy));
        var fast = new Recorder();
        var slow = new Recorder(delayEvery: 500);
        d.HandleEventsWith(fast).HandleEventsWith(slow);
        d.Start();
        const int n = 20_000;
        for (int i = 0; i < n; i++)
        {
            long seq = d.Sequencer.Next();
            d.Ring[seq].Id = i;
            d.Sequencer.Publish(seq);
        }
        d.Shutdown();
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), fast.Seen);
        Assert.Equal(Enumerable.Range(0, n).Select(i => (long)i), slow.Seen);
        Assert.True(fast.Started && fast.Stopped && slow.Started && slow.Stopped);
        Assert.True(d.Sequencer.Waits > 0, "a 64-slot ring with a slow handler must make the producer wait");
        Assert.True(d.Sequencer.WaitTicks > 0);
        Assert.Empty(d.Faults);
    }

    [Fact]
    public void BatchesEndWithEndOfBatch()
    {
        var d = new ValueDisruptor<MarketEvent>(1024);
        var r = new Recorder();
        d.HandleEventsWith(r);
        d.Start();
        long hi = d.Sequencer.Next(100);
        for (long s = hi - 99; s <= hi; s++) d.Ring[s].Id = s;
        d.Sequencer.Publish(hi);
        d.Shutdown();
        Assert.Equal(100, r.Seen.Count);
        Assert.InRange(r.Batches, 1, 100);
    }

    [Fact]
    public void AFailingHandlerIsReportedAndDoesNotBlockTheProducer()
    {
        var d = new ValueDisruptor<MarketEvent>(8);
        d.HandleEventsWith(new Throwing());
        d.Start();
        for (int i = 0; i < 100; i++) { long s = d.Sequencer.Next(); d.Sequencer.Publish(s); }
        d.Shutdown();
        var fault = Assert.Single(d.Faults);
        Assert.Contains("disk full", fault.Fault.Message);
    }

    private sealed class Throwing : IValueEventHandler<MarketEvent>
    {
        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
        {
            if (sequence == 3) throw new IOException("disk full");
        }
    }

    [Fact]
    public void RingSizeMustBeAPowerOfTwo() => Assert.Throws<ArgumentException>(() => new RingBuffer<MarketEvent>(1000));

    [Fact]
    public unsafe void MarketEventLayoutIsPinned()
    {
        Assert.Equal(64, Unsafe.SizeOf<MarketEvent>());
        var e = default(MarketEvent);
        byte* b = (byte*)&e;
        Assert.Equal(0, (byte*)&e.Kind - b);
        Assert.Equal(1, (byte*)&e.Side - b);
        Assert.Equal(4, (byte*)&e.InstrumentId - b);
        Assert.Equal(8, (byte*)&e.ExchangeTime - b);
        Assert.Equal(16, (byte*)&e.ReceiveTime - b);
        Assert.Equal(24, (byte*)&e.Price - b);
        Assert.Equal(32, (byte*)&e.Quantity - b);
        Assert.Equal(40, (byte*)&e.Id - b);
        Assert.Equal(48, (byte*)&e.Id2 - b);
        Assert.Equal(56, (byte*)&e.Flags - b);
        e.AskPrice = 7;
        e.AskQuantity = 9;
        Assert.Equal(7, e.Id2);
        Assert.Equal(9, e.Flags);
    }

    [Fact]
    public unsafe void SequencesDoNotShareCacheLines()
    {
        Assert.True(Unsafe.SizeOf<PaddedProbe>() >= 0);
        var s = new Sequence(5);
        Assert.Equal(5, s.Value);
        s.SetValue(6);
        Assert.Equal(6, s.VolatileValue);
        // 56 bytes of padding before the value and after it.
        Assert.True(System.Runtime.InteropServices.Marshal.SizeOf<Sequence>() >= 120 || typeof(Sequence).StructLayoutAttribute!.Size >= 120);
    }

    private sealed class Allocating(int bytes) : IValueEventHandler<MarketEvent>
    {
        public object? Last;
        public long Sum;
        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
        {
            if (bytes > 0) Last = new byte[bytes];
            Sum += e.Id;
        }
    }

    /// <summary>Publishes one event at a time and waits for every handler to take it: each batch is one event.</summary>
    private static void PublishAndWait(ValueDisruptor<MarketEvent> d, int n)
    {
        for (int i = 0; i < n; i++)
        {
            long seq = d.Sequencer.Next();
            d.Ring[seq].Id = i;
            d.Sequencer.Publish(seq);
            var until = DateTime.UtcNow.AddSeconds(30);
            while (d.Processors.Any(p => p.Sequence.VolatileValue < seq) && DateTime.UtcNow < until) Thread.Yield();
        }
    }

    [Fact]
    public void ProcessorsCountWhatTheirHandlerThreadAllocates()
    {
        var d = new ValueDisruptor<MarketEvent>(1024, new YieldingWaitStrategy());
        d.HandleEventsWith(new Allocating(0)).HandleEventsWith(new Allocating(1000));
        d.Start();
        PublishAndWait(d, 200); // warm-up: JIT, first waits
        long quiet0 = d.Processors[0].AllocatedBytes, busy0 = d.Processors[1].AllocatedBytes;
        PublishAndWait(d, 2_000);
        long quiet = d.Processors[0].AllocatedBytes - quiet0, busy = d.Processors[1].AllocatedBytes - busy0;
        d.Shutdown();
        Assert.Equal(0, quiet);
        // Batches a collection interrupted are not counted (a few of the 2,000 one-event batches at most).
        Assert.True(busy >= 1_000L * 1_000, $"an allocating handler's thread counted {busy:N0} B for 2,000 events of 1,000 B");
    }

    private struct PaddedProbe { }
}
