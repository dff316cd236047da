using TickEngine.Engine.Venues;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Research;

/// <summary>What a backtest runs on and with.</summary>
public sealed record BacktestSpec
{
    public required string Root { get; init; }
    public required string Symbol { get; init; }
    public string? Exchange { get; init; }
    public required string Strategy { get; init; }
    /// <summary>More instruments traded by the same strategy (exchange, symbol): another venue's book of the asset, say.</summary>
    public IReadOnlyList<(string Exchange, string Symbol)> Legs { get; init; } = [];
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
    public long StartNs { get; init; } = long.MinValue;
    public long EndNs { get; init; } = long.MaxValue;
    public string QueueModel { get; init; } = "risk-averse";
    public long EntryLatencyNs { get; init; }
    public long CancelLatencyNs { get; init; }
    /// <summary>Draw entry and cancel latencies from an HdrHistogram percentile file instead (values in <see cref="LatencyHgrmUnitNs"/>).</summary>
    public string? LatencyHgrm { get; init; }
    public double LatencyHgrmUnitNs { get; init; } = 1000;
    /// <summary>Draw them from the recording's own receive - exchange times of the instrument's trades instead.</summary>
    public bool LatencyFromRecording { get; init; }
    public int LatencySeed { get; init; } = 1;
    /// <summary>Null: the venue's defaults (<see cref="FeeSchedule.DefaultFor"/>).</summary>
    public FeeSchedule? Fees { get; init; }
    public long SampleNs { get; init; } = 60_000_000_000;
    /// <summary>How the feed delay is charged: <c>estimate</c> (default: the clock offset estimated from the data, <see cref="FeedClock"/>), <c>none</c> (events seen at their exchange time), or an offset in ms.</summary>
    public string FeedDelay { get; init; } = "estimate";
    /// <summary>The instrument's tick and lot as decimal text; null: inferred from the data (<see cref="InstrumentRules"/>).</summary>
    public string? Tick { get; init; }
    public string? Lot { get; init; }
    public OffGridPolicy OffGrid { get; init; } = OffGridPolicy.Snap;
    /// <summary>Where the research record goes (hourly Parquet of snapshots and order events); null: none.</summary>
    public string? RecordDir { get; init; }
    /// <summary>The research record's snapshot interval (the strategy's clock).</summary>
    public long RecordEveryNs { get; init; } = 1_000_000_000;
}
