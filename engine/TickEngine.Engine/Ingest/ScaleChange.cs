using TickEngine.Storage.Format;

namespace TickEngine.Engine.Ingest;

/// <summary>
/// Scale changes asked for by the values of one frame (<see cref="Instrument.TryPrice"/>), tried before they are
/// made: <see cref="TryBegin"/> moves each asking instrument to the scales that hold its value (when every book the
/// producer keeps of it can be held there exactly) and the adapter reads the frame again; only when the frame then
/// reads whole does <see cref="Complete"/> make the change real: a <see cref="StatusKind.ScaleChange"/> marker (a =
/// price scale, b = quantity scale) on the ring, the books moved and republished at the new scales, before the
/// frame's own events. A frame still malformed for another reason changes nothing (<see cref="Revert"/>). Handlers
/// switch at the marker and the segments continue in a new part. One per adapter; producer thread only; runs only
/// when a value did not fit.
/// </summary>
public sealed class ScaleChange
{
    private readonly List<(Instrument Instrument, int Price, int Quantity)> _begun = new();

    /// <summary>True while instruments are moved tentatively (between <see cref="TryBegin"/> and <see cref="Complete"/> or <see cref="Revert"/>).</summary>
    public bool Pending => _begun.Count > 0;

    /// <summary>Moves every instrument that asked to the scales it asked for, tentatively; false when one cannot move.</summary>
    public bool TryBegin(InstrumentRegistry registry, IngestCounters counters)
    {
        bool any = false;
        foreach (var inst in registry.TakeScaleRequests())
        {
            int at = _begun.FindIndex(b => ReferenceEquals(b.Instrument, inst));
            if (at < 0) _begun.Add((inst, inst.PriceScale, inst.QuantityScale));
            var (_, fromP, fromQ) = _begun[at < 0 ? _begun.Count - 1 : at];
            if (!inst.TryMoveWanted(fromP, fromQ))
            {
                counters.ScaleChangesRefused++;
                return false;
            }
            any = true;
        }
        return any;
    }

    /// <summary>The frame read whole at the new scales: the markers, the books moved and republished.</summary>
    public void Complete(EventPublisher publisher, IngestCounters counters, long receiveNs)
    {
        foreach (var (inst, fromP, fromQ) in _begun)
        {
            int p = inst.PriceScale, q = inst.QuantityScale;
            if (p == fromP && q == fromQ) continue;
            publisher.Status(inst.Id, StatusKind.ScaleChange, receiveNs, receiveNs, p, q);
            inst.CountScaleChange();
            foreach (var state in inst.States) state.Rescale(fromP, fromQ, p, q, receiveNs);
            counters.ScaleChanges++;
        }
        _begun.Clear();
    }

    /// <summary>The frame stayed malformed: every instrument moved back.</summary>
    public void Revert()
    {
        foreach (var (inst, fromP, fromQ) in _begun) inst.MoveTo(fromP, fromQ);
        _begun.Clear();
    }
}
