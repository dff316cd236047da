using TickEngine.Engine.Metrics;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Research;

/// <summary>
/// When a strategy learns of an exchange event: at its receive time, with the recorder's clock brought onto the
/// exchange's by an estimated offset. The receive clock and the exchange's differ by an unknown constant plus the
/// one-way delay, so the offset is estimated as the standard one-way-delay estimate does: the least receive −
/// exchange time over the instrument's streams (its deltas and trades), taken as a delay of zero. Every event then
/// reaches the strategy <c>receive − offset − exchange</c> after the exchange acted on it (the feed delay, charged),
/// which is never negative for the rows the estimate saw. The delay floor itself (the fastest message's real
/// transit) is indistinguishable from the offset and is not charged: add it with the entry latency.
/// <see cref="None"/> charges nothing: the strategy sees each event at its exchange time (the behaviour before).
/// </summary>
public sealed class FeedClock
{
    private FeedClock(bool charged, long offsetNs, string source, IReadOnlyList<FeedStream> streams)
    {
        Charged = charged;
        OffsetNs = offsetNs;
        Source = source;
        Streams = streams;
    }

    /// <summary>False: events reach the strategy at their exchange time, no delay charged.</summary>
    public bool Charged { get; }
    /// <summary>Receive clock minus exchange clock (ns): receive time − this is the exchange-clock time the strategy knows of an event.</summary>
    public long OffsetNs { get; }
    public string Source { get; }
    /// <summary>What the estimate saw, per stream.</summary>
    public IReadOnlyList<FeedStream> Streams { get; }
    /// <summary>The feed delay charged per event (ns), as the backtest ran.</summary>
    public DelayHistogram Charges { get; } = new();
    /// <summary>Events whose receive − exchange was below the offset (outside the rows the estimate saw): charged 0.</summary>
    public long BelowOffset { get; internal set; }
    /// <summary>Events without a receive time (imported without one): charged 0.</summary>
    public long NoReceiveTime { get; internal set; }

    /// <summary>No delay: the strategy sees each event at its exchange time.</summary>
    public static FeedClock None { get; } = new(false, 0, "not charged (--feed-delay none): the strategy sees each event at its exchange time", []);

    /// <summary>A given offset (ns), e.g. from a clock synchronisation log.</summary>
    public static FeedClock Given(long offsetNs) => new(true, offsetNs, $"given offset {offsetNs / 1e6:0.###} ms", []);

    /// <summary>The rows read per stream for the estimate: the first ones of the run's span.</summary>
    public const int RowsPerStream = 5_000_000;

    /// <summary>
    /// Estimates the offset from the receive − exchange times of the given segments' rows (deltas and trades of one
    /// instrument), reading at most <see cref="RowsPerStream"/> per stream; rows without a receive or exchange time
    /// are left out. Null when no row has both (nothing to estimate from).
    /// </summary>
    public static FeedClock? Estimate(IEnumerable<(string Stream, IReadOnlyList<string> Segments)> streams, CancellationToken cancel = default)
    {
        var found = new List<FeedStream>();
        foreach (var (name, segments) in streams)
        {
            var samples = new List<long>();
            foreach (var path in segments)
            {
                if (samples.Count >= RowsPerStream || cancel.IsCancellationRequested) break;
                try
                {
                    using var c = new SegmentCursor(SegmentReader.Open(path));
                    int flags = c.Reader.Schema.Kind == SchemaKind.Trades ? TradeColumns.Flags : DeltaColumns.Flags;
                    while (samples.Count < RowsPerStream && c.MoveNext())
                    {
                        if ((c[flags] & (long)(RowFlags.ReceiveTimeUnknown | RowFlags.ExchangeTimeUnknown)) == 0) samples.Add(c[1] - c[0]);
                        if ((samples.Count & 0xFFFF) == 0 && cancel.IsCancellationRequested) break;
                    }
                }
                catch (StorageFormatException) { } // damage is reported where the rows are replayed
            }
            if (samples.Count == 0) continue;
            samples.Sort();
            found.Add(new FeedStream(name, samples.Count, samples[0], samples[(int)Math.Min(samples.Count - 1, samples.Count / 100)], samples[samples.Count / 2], samples[(int)Math.Min(samples.Count - 1, (long)samples.Count * 99 / 100)]));
        }
        if (found.Count == 0) return null;
        long offset = found.Min(s => s.MinNs);
        return new FeedClock(true, offset, $"estimated: the least receive − exchange time over {string.Join(" and ", found.Select(s => $"{s.Rows:N0} {s.Name}"))}", found);
    }

    /// <summary>"receive clock 1,270.3 ms behind ...": the offset in words.</summary>
    public string DescribeOffset() =>
        !Charged ? Source : $"receive clock {Math.Abs(OffsetNs) / 1e6:0.###} ms {(OffsetNs < 0 ? "behind" : "ahead of")} the exchange's ({Source})";
}

/// <summary>One stream's receive − exchange times as the estimate saw them (ns): the least, p1, p50, p99.</summary>
public sealed record FeedStream(string Name, long Rows, long MinNs, long P1Ns, long P50Ns, long P99Ns);
