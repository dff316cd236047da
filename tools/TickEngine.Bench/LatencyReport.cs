using TickEngine.Simulator.Dialects.Binance;
using System.Diagnostics;
using TickEngine.Engine.Live;
using TickEngine.Engine.Metrics;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;

namespace TickEngine.Bench;

/// <summary>One latency run's results.</summary>
public sealed record LatencyReport(
    LatencyBenchOptions Options,
    HdrHistogram[] Stages,
    long TradesSent,
    long TradesCommitted,
    long FramesParsed,
    long Dropped,
    long IdBreaks,
    long Measured,
    double AchievedRate,
    double SentRate,
    long LagAtEnd,
    double CpuPerSecond,
    long RssBytes,
    long ProducerAllocatedBytes,
    long ProducerBatchesUncounted,
    long HandlerAllocatedBytes,
    IReadOnlyDictionary<string, long> HandlerAllocations,
    long ProcessAllocatedBytes,
    long MeasuredFrames,
    long ProducerWaits,
    long Reconnects,
    IReadOnlyList<string> Faults)
{
    /// <summary>Hot-path allocations in the measured window: producer (parse + publish) and handler threads.</summary>
    public long HotPathAllocatedBytes => ProducerAllocatedBytes + HandlerAllocatedBytes;

    public HdrHistogram EndToEnd => Stages[StageProbe.EndToEnd];

    /// <summary>What went wrong: trades lost or stored twice, hot-path allocations, a failed handler (empty when clean).</summary>
    public IReadOnlyList<string> Failures
    {
        get
        {
            var why = new List<string>();
            if (Dropped > 0 || IdBreaks > 0) why.Add($"{Dropped:N0} dropped, {IdBreaks:N0} trade-id breaks");
            if (HotPathAllocatedBytes > 0) why.Add($"{HotPathAllocatedBytes:N0} B allocated on the hot path (producer {ProducerAllocatedBytes:N0}, handlers {HandlerAllocatedBytes:N0})");
            if (Faults.Count > 0) why.Add("handler failed: " + Faults[0]);
            return why;
        }
    }

    /// <summary>Nothing lost, nothing allocated on the hot path, no handler failed.</summary>
    public bool Clean => Failures.Count == 0;
}
