using System.Diagnostics;
using System.Globalization;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;

namespace TickEngine.Benchmarks.Ring;

/// <summary>
/// <c>dotnet run -c Release --project perf/TickEngine.Benchmarks -- ring-latency [--events N] [--rate R]</c>: the
/// ring's hand-off latency, one producer and one consumer (blocking wait strategy, the 2-core default). The
/// producer stamps each event with Stopwatch ticks at publish and paces itself to R events/s; the consumer records
/// (now - stamp). Percentiles are exact (sorted samples); the rate is fixed, so a stall shows in the tail.
/// </summary>
public static class RingLatencyHarness
{
    private sealed class Stamper(long[] samples) : IValueEventHandler<MarketEvent>
    {
        public int Count;
        public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
        {
            long now = Stopwatch.GetTimestamp();
            if (Count < samples.Length) samples[Count++] = now - e.ReceiveTime;
        }
    }

    public static int Run(string[] args)
    {
        int events = (int)HarnessArgs.Long(args, "--events", 1_000_000);
        int rate = (int)HarnessArgs.Long(args, "--rate", 100_000);
        foreach (var (name, wait) in new (string, IWaitStrategy)[] { ("blocking", new BlockingWaitStrategy()), ("yielding", new YieldingWaitStrategy()) })
        {
            var samples = new long[events];
            var d = new ValueDisruptor<MarketEvent>(65_536, wait);
            var h = new Stamper(samples);
            d.HandleEventsWith(h);
            d.Start();
            double ticksPerEvent = Stopwatch.Frequency / (double)rate;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < events; i++)
            {
                long due = start + (long)(i * ticksPerEvent);
                while (Stopwatch.GetTimestamp() < due) Thread.SpinWait(10);
                long s = d.Sequencer.Next();
                d.Ring[s].ReceiveTime = Stopwatch.GetTimestamp();
                d.Sequencer.Publish(s);
            }
            d.Shutdown();
            Array.Sort(samples, 0, h.Count);
            double ns = 1e9 / Stopwatch.Frequency;
            string P(double q) => (samples[Math.Min(h.Count - 1, (int)(q * h.Count))] * ns).ToString("N0", CultureInfo.InvariantCulture);
            Console.WriteLine($"{name,-9} {events:N0} events at {rate:N0}/s: hand-off p50 {P(0.50)} ns, p99 {P(0.99)} ns, p99.9 {P(0.999)} ns, max {(samples[h.Count - 1] * ns).ToString("N0", CultureInfo.InvariantCulture)} ns");
        }
        return 0;
    }
}
