namespace TickEngine.Engine.Ingest;

/// <summary>
/// What the producer saw and did. Written by the producer thread only; read by anyone (values may be a moment
/// old). In the run's summary each field appears under its snake_case name (<c>diffs_applied</c>, ...).
/// </summary>
public sealed class IngestCounters
{
    public long Frames;
    public long Malformed;
    public long Unknown;
    public long Control;
    public long TradeEvents;
    public long DuplicateTrades;
    /// <summary>Trades whose id is not above the last one but whose time is later: not a repeat; stored, and the id restarts there.</summary>
    public long TradeIdsBackwards;
    public long DepthMessages;
    public long DiffsApplied;
    public long DiffsStale;
    /// <summary>Book updates dropped because their book was out of sync (no snapshot under them yet).</summary>
    public long DiffsOutOfSync;
    /// <summary>Book messages behind the book's id after it had moved on (or repeated in a run): taken as a gap, the book resynced.</summary>
    public long SequenceBackwards;
    /// <summary>Book updates that carry nothing to check their continuity by (no sequence ids, no checksum): the book cannot be kept.</summary>
    public long UnverifiableUpdates;
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
    /// <summary>Snapshots that replaced a book already in sync (Bybit's orderbook.1 sends only snapshots): no resync.</summary>
    public long SnapshotsInSync;
    /// <summary>Frames of a shallower book channel of an instrument whose book comes from a deeper one (OKX books5 beside books): left.</summary>
    public long ShallowerBookFrames;
    public long ServerShutdowns;
    /// <summary>Frames of another market than the one given (futures diffs under a spot exchange name).</summary>
    public long WrongMarket;
    /// <summary>Frames whose connection sequence number was already seen (a repeat): their content is not used again.</summary>
    public long SequenceRepeats;
    /// <summary>Trades whose stored (taker) side agrees with the book at that instant: printed at or above the best ask and bought, or at or below the best bid and sold.</summary>
    public long TradeSideMatchesBook;
    /// <summary>Trades printed at or beyond a side of the book whose stored side says the other.</summary>
    public long TradeSideAgainstBook;
    /// <summary>Trades the book could not judge (inside the spread, no book in sync, or history sent at subscription).</summary>
    public long TradeSideUnchecked;
    /// <summary>Book messages whose checksum (OKX) equals the rebuilt book's.</summary>
    public long ChecksumMatched;
    /// <summary>Book messages whose checksum disagrees with the rebuilt book: the book is invalid and waits for a snapshot.</summary>
    public long ChecksumMismatched;
    /// <summary>Book messages that carry no checksum (OKX sends 0 since it deprecated the field): the sequence is then the only check.</summary>
    public long ChecksumAbsent;
    /// <summary>Instruments moved to other scales because a value did not fit (each a <c>scale_change</c> marker and a new segment part).</summary>
    public long ScaleChanges;
    /// <summary>Scale changes a value asked for that the instrument's book could not take exactly (the frame stays malformed).</summary>
    public long ScaleChangesRefused;

    private readonly List<string> _samples = new();
    private readonly Dictionary<string, long> _byReason = new();

    /// <summary>Up to 20 malformed frames (cut to 300 characters) with the reason, for the log.</summary>
    public IReadOnlyList<string> MalformedSamples => _samples;

    /// <summary>Malformed frames counted by reason (the reasons are the adapters' fixed texts).</summary>
    public IReadOnlyDictionary<string, long> MalformedByReason => _byReason;

    private readonly string[] _recent = new string[16]; // the last reasons counted, for RollBack
    private int _recentTop, _recentDepth;

    /// <summary>Where the malformed counts stand, to <see cref="RollBack"/> to (a frame read again at other scales).</summary>
    public (long Malformed, int Samples) Mark() => (Malformed, _samples.Count);

    /// <summary>Takes back the malformed frames counted since <paramref name="mark"/> (at most 16).</summary>
    public void RollBack((long Malformed, int Samples) mark)
    {
        while (Malformed > mark.Malformed && _recentDepth > 0)
        {
            _recentTop = (_recentTop + _recent.Length - 1) % _recent.Length;
            _recentDepth--;
            string reason = _recent[_recentTop];
            long n = _byReason.GetValueOrDefault(reason) - 1;
            if (n <= 0) _byReason.Remove(reason); else _byReason[reason] = n;
            Malformed--;
        }
        if (_samples.Count > mark.Samples) _samples.RemoveRange(mark.Samples, _samples.Count - mark.Samples);
    }

    public void AddMalformed(string reason, ReadOnlySpan<byte> frame)
    {
        Malformed++;
        _byReason[reason] = _byReason.GetValueOrDefault(reason) + 1;
        _recent[_recentTop] = reason;
        _recentTop = (_recentTop + 1) % _recent.Length;
        if (_recentDepth < _recent.Length) _recentDepth++;
        if (_samples.Count >= 20) return;
        var head = frame[..Math.Min(frame.Length, 300)];
        // Text as it came; bytes that are not UTF-8 (binary frames, broken encodings) as hex.
        string text = System.Text.Unicode.Utf8.IsValid(head) && head.IndexOfAnyInRange((byte)0, (byte)8) < 0
            ? System.Text.Encoding.UTF8.GetString(head)
            : "hex " + Convert.ToHexString(head[..Math.Min(head.Length, 64)]);
        _samples.Add($"{reason}: {text}");
    }

    /// <summary>Adds <paramref name="other"/>'s counts to these (summing several adapters).</summary>
    public void Add(IngestCounters other)
    {
        Frames += other.Frames;
        Malformed += other.Malformed;
        Unknown += other.Unknown;
        Control += other.Control;
        TradeEvents += other.TradeEvents;
        DuplicateTrades += other.DuplicateTrades;
        TradeIdsBackwards += other.TradeIdsBackwards;
        DepthMessages += other.DepthMessages;
        DiffsApplied += other.DiffsApplied;
        DiffsStale += other.DiffsStale;
        DiffsOutOfSync += other.DiffsOutOfSync;
        SequenceBackwards += other.SequenceBackwards;
        UnverifiableUpdates += other.UnverifiableUpdates;
        DiffsBuffered += other.DiffsBuffered;
        LevelsApplied += other.LevelsApplied;
        Gaps += other.Gaps;
        Syncs += other.Syncs;
        Resyncs += other.Resyncs;
        BookTickerMatched += other.BookTickerMatched;
        BookTickerMismatched += other.BookTickerMismatched;
        BookTickerUnchecked += other.BookTickerUnchecked;
        Crossed += other.Crossed;
        RestSnapshots += other.RestSnapshots;
        SnapshotsStale += other.SnapshotsStale;
        SnapshotsInSync += other.SnapshotsInSync;
        ShallowerBookFrames += other.ShallowerBookFrames;
        ServerShutdowns += other.ServerShutdowns;
        WrongMarket += other.WrongMarket;
        SequenceRepeats += other.SequenceRepeats;
        TradeSideMatchesBook += other.TradeSideMatchesBook;
        TradeSideAgainstBook += other.TradeSideAgainstBook;
        TradeSideUnchecked += other.TradeSideUnchecked;
        ChecksumMatched += other.ChecksumMatched;
        ChecksumMismatched += other.ChecksumMismatched;
        ChecksumAbsent += other.ChecksumAbsent;
        ScaleChanges += other.ScaleChanges;
        ScaleChangesRefused += other.ScaleChangesRefused;
        foreach (var (reason, n) in other._byReason) _byReason[reason] = _byReason.GetValueOrDefault(reason) + n;
        foreach (var s in other._samples) if (_samples.Count < 20) _samples.Add(s);
    }
}
