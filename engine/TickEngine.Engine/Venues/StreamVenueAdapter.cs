using System.Text.Json;
using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Venues;

/// <summary>
/// What every stream venue's adapter does with a frame, in one place: admit it (<see cref="FrameRules.Admit"/>),
/// read it whole into the adapter's buffers (<see cref="Parse"/>: JSON errors are counted as malformed), and only
/// then act on it (<see cref="Commit"/>), publishing what it claimed. The venue supplies the three steps.
/// Producer thread only; allocation-free per frame when the venue's steps are.
/// </summary>
public abstract class StreamVenueAdapter(InstrumentRegistry registry, EventPublisher publisher) : IExchangeAdapter
{
    public abstract string Exchange { get; }
    public IngestCounters Counters { get; } = new();
    public FrameRules Rules { get; init; } = FrameRules.Default;

    /// <summary>Publish the best bid and ask the venue states (the quotes schema; opt-in per recording).</summary>
    public bool PublishQuotes { get; init; }

    /// <summary>Publish funding updates (the funding schema; opt-in per recording).</summary>
    public bool PublishFunding { get; init; }

    /// <summary>Live: asked to resubscribe a book after a gap or a failed check (a fresh snapshot follows).</summary>
    public ISnapshotRequester? Requester { get; init; }

    public void OnFrame(ReadOnlySpan<byte> frame, long receiveNs)
    {
        if (IsControlText(frame)) { Counters.Frames++; Counters.Control++; return; }
        if (!FrameRules.Admit(Counters, frame, receiveNs)) return;
        // A value that does not fit its instrument's scales asks for others: the instrument moves to them tentatively
        // and the frame is read again; the move is made real only when the frame then reads whole.
        var mark = Counters.Mark();
        Reset();
        bool ready = TryParse(frame, receiveNs);
        for (int round = 0; !ready && registry.HasScaleRequests && round < 4; round++)
        {
            if (!_scales.TryBegin(registry, Counters)) break;
            Counters.RollBack(mark);
            Reset();
            ready = TryParse(frame, receiveNs);
        }
        registry.ClearScaleRequests();
        if (ready)
        {
            if (_scales.Pending) _scales.Complete(publisher, Counters, receiveNs);
            Commit(receiveNs);
        }
        else if (_scales.Pending) _scales.Revert();
        publisher.Publish();
    }

    private readonly ScaleChange _scales = new();

    private bool TryParse(ReadOnlySpan<byte> frame, long receiveNs)
    {
        try { return Parse(frame, receiveNs); }
        catch (JsonException) { Counters.AddMalformed("not valid JSON", frame); }
        catch (InvalidOperationException) { Counters.AddMalformed("unexpected JSON token", frame); }
        return false;
    }

    /// <summary>A frame that is plain text the venue sends for control (OKX's <c>pong</c>): counted, not parsed.</summary>
    protected virtual bool IsControlText(ReadOnlySpan<byte> frame) => false;

    /// <summary>Empties the buffers a frame is read into.</summary>
    protected abstract void Reset();

    /// <summary>Reads the frame whole into the buffers; false when there is nothing to act on (the reason counted).</summary>
    protected abstract bool Parse(ReadOnlySpan<byte> frame, long receiveNs);

    /// <summary>Acts on what <see cref="Parse"/> read: books, trades, checks.</summary>
    protected abstract void Commit(long receiveNs);

    public abstract void OnRest(ReadOnlySpan<byte> body, long receiveNs, string? url);
    public abstract void OnSession(Storage.Format.StatusKind kind, long receiveNs, bool books = true);
}
