namespace TickEngine.Engine.Ingest;

/// <summary>
/// What the producer saw and did. Written by the producer thread only; read by anyone (values may be a moment
/// old). The names match the keys of the run summary.
/// </summary>
public sealed class IngestCounters
{
    public long Frames;
    public long Malformed;
    public long Unknown;
    public long Control;
    public long TradeEvents;
    public long DuplicateTrades;
    public long DepthMessages;
    public long DiffsApplied;
    public long DiffsStale;
    public long DiffsBuffered;
    public long LevelsApplied;
    public long Gaps;
    public long Syncs;
    public long Resyncs;
    public long BookTickerMatched;
    public long BookTickerMismatched;
    public long BookTickerUnchecked;
    public long Crossed;
    public long RestSnapshots;
    public long SnapshotsStale;
    public long ServerShutdowns;
    public long EventsPublished;

    private readonly List<string> _samples = new();

    /// <summary>Up to 20 malformed frames (cut to 300 characters) with the reason, for the log.</summary>
    public IReadOnlyList<string> MalformedSamples => _samples;

    private readonly Dictionary<string, long> _byReason = new();

    /// <summary>Malformed frames counted by reason (the reasons are the adapter's fixed texts).</summary>
    public IReadOnlyDictionary<string, long> MalformedByReason => _byReason;

    public void AddMalformed(string reason, ReadOnlySpan<byte> frame)
    {
        Malformed++;
        _byReason[reason] = _byReason.GetValueOrDefault(reason) + 1;
        if (_samples.Count >= 20) return;
        var head = frame[..Math.Min(frame.Length, 300)];
        // Text as it came; bytes that are not UTF-8 (binary frames, broken encodings) as hex.
        string text = System.Text.Unicode.Utf8.IsValid(head) && head.IndexOfAnyInRange((byte)0, (byte)8) < 0
            ? System.Text.Encoding.UTF8.GetString(head)
            : "hex " + Convert.ToHexString(head[..Math.Min(head.Length, 64)]);
        _samples.Add($"{reason}: {text}");
    }
}
