using System.Collections.Concurrent;
using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;

namespace TickEngine.Benchmarks.Ring;

/// <summary>
/// One producer, one consumer, 10,000,000 64-byte events:
/// <code>
///   producer --claim/write/publish (batches of 64)--&gt; ring (65,536 slots) --&gt; consumer thread (sums)
///   producer --TryWrite/WriteAsync--&gt; bounded Channel&lt;MarketEvent&gt; (65,536) --&gt; consumer task
///   producer --Add--&gt; BlockingCollection&lt;MarketEvent&gt; (65,536) --&gt; consumer thread
/// </code>
/// The ring's consumer blocks (BlockingWaitStrategy, the 2-core-safe default). One operation = one event.
/// </summary>
[MemoryDiagnoser]
public class RingBenchmarks
{
    private const int Events = 10_000_000;

    private sealed class Summer : IValueEventHandler<MarketEvent>
    {
        public long Sum;
        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch) => Sum += e.Price;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Events)]
    public long BoundedChannel()
    {
        var ch = Channel.CreateBounded<MarketEvent>(new BoundedChannelOptions(65_536) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        var consumer = Task.Run(async () =>
        {
            long sum = 0;
            while (await ch.Reader.WaitToReadAsync())
                while (ch.Reader.TryRead(out var e)) sum += e.Price;
            return sum;
        });
        var ev = new MarketEvent();
        for (int i = 0; i < Events; i++)
        {
            ev.Price = i;
            while (!ch.Writer.TryWrite(ev)) ch.Writer.WaitToWriteAsync().AsTask().Wait();
        }
        ch.Writer.Complete();
        return consumer.Result;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public long BlockingCollection()
    {
        using var bc = new BlockingCollection<MarketEvent>(65_536);
        long sum = 0;
        var consumer = new Thread(() =>
        {
            foreach (var e in bc.GetConsumingEnumerable()) sum += e.Price;
        });
        consumer.Start();
        var ev = new MarketEvent();
        for (int i = 0; i < Events; i++)
        {
            ev.Price = i;
            bc.Add(ev);
        }
        bc.CompleteAdding();
        consumer.Join();
        return sum;
    }

    [Benchmark(OperationsPerInvoke = Events)]
    public long TickEngineRing()
    {
        var d = new ValueDisruptor<MarketEvent>(65_536);
        var h = new Summer();
        d.HandleEventsWith(h);
        d.Start();
        var seq = d.Sequencer;
        var ring = d.Ring;
        for (int i = 0; i < Events; i += 64)
        {
            long hi = seq.Next(64);
            for (long s = hi - 63; s <= hi; s++) ring[s].Price = s;
            seq.Publish(hi);
        }
        d.Shutdown();
        return h.Sum;
    }
}
