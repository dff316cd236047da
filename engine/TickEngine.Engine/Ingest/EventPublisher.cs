using System.Runtime.CompilerServices;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;

namespace TickEngine.Engine.Ingest;

/// <summary>
/// The producer's side of the ring: claims one slot at a time, lets the caller fill it in place, and publishes
/// the claimed slots together at the end of a frame (or when a large frame has claimed half the ring).
/// Producer thread only.
/// </summary>
public sealed class EventPublisher
{
    private readonly RingBuffer<MarketEvent> _ring;
    private readonly SingleProducerSequencer _sequencer;
    private readonly int _flushEvery;
    private long _first = -1;
    private long _last = -1;

    public EventPublisher(RingBuffer<MarketEvent> ring, SingleProducerSequencer sequencer)
    {
        _ring = ring;
        _sequencer = sequencer;
        _flushEvery = Math.Max(1, ring.Size / 2);
    }

    public long Published { get; private set; }

    /// <summary>Timing hooks (latency measurement); null in normal runs.</summary>
    public Metrics.ILatencyProbe? Probe { get; set; }

    /// <summary>
    /// Imported data without our receive time (an exchange's archive): every published event is flagged
    /// <see cref="Storage.Format.RowFlags.ReceiveTimeUnknown"/> and its receive time repeats its exchange time, as
    /// FORMAT.md defines the flag.
    /// </summary>
    public bool ReceiveTimeUnknown { get; init; }

    /// <summary>Claims the next slot and returns it for writing; the slot is cleared.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref MarketEvent Claim()
    {
        if (_first >= 0 && _last - _first + 1 >= _flushEvery) Publish();
        long seq = _sequencer.Next();
        if (_first < 0) _first = seq;
        _last = seq;
        ref var e = ref _ring[seq];
        e = default;
        return ref e;
    }

    /// <summary>
    /// Claims a status marker (<see cref="Storage.Format.StatusKind"/>) for an instrument: at the exchange time when
    /// there is one, else at the receive time; <paramref name="a"/> and <paramref name="b"/> as the kind defines them.
    /// </summary>
    public void Status(int instrumentId, Storage.Format.StatusKind kind, long receiveNs, long exchangeNs = 0, long a = 0, long b = 0)
    {
        ref var e = ref Claim();
        e.Kind = EventKind.Status;
        e.InstrumentId = instrumentId;
        e.Side = (byte)kind;
        e.ExchangeTime = exchangeNs != 0 ? exchangeNs : receiveNs;
        e.ReceiveTime = receiveNs;
        e.Id = a;
        e.Id2 = b;
    }

    /// <summary>Claims a best bid/ask (a quotes row) for an instrument, as the venue stated it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Quote(int instrumentId, long exchangeNs, long receiveNs, long id, long bid, long bidQuantity, long ask, long askQuantity, long flags = 0)
    {
        ref var e = ref Claim();
        e.Kind = EventKind.BookTicker;
        e.InstrumentId = instrumentId;
        e.ExchangeTime = exchangeNs;
        e.ReceiveTime = receiveNs;
        e.Id = id;
        e.BidPrice = bid;
        e.BidQuantity = bidQuantity;
        e.AskPrice = ask;
        e.AskQuantity = askQuantity;
        e.QuoteFlags = flags;
    }

    /// <summary>Claims a funding row for an instrument: the rate at its own scale, the next funding time, mark and index (0: not stated).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Funding(int instrumentId, long exchangeNs, long receiveNs, long rate, int rateScale, long nextFunding, long mark, long index)
    {
        ref var e = ref Claim();
        e.Kind = EventKind.Funding;
        e.InstrumentId = instrumentId;
        e.ExchangeTime = exchangeNs;
        e.ReceiveTime = receiveNs;
        e.FundingRate = rate;
        e.FundingRateScale = rateScale;
        e.NextFunding = nextFunding;
        e.MarkPrice = mark;
        e.IndexPrice = index;
    }

    /// <summary>Publishes every slot claimed since the last publish.</summary>
    public void Publish()
    {
        if (_first < 0) return;
        if (ReceiveTimeUnknown)
        {
            for (long s = _first; s <= _last; s++)
            {
                ref var e = ref _ring[s];
                if (e.Kind == EventKind.RowPart) continue; // Flags hold another column there
                e.ReceiveTime = e.ExchangeTime;
                if (e.Kind == EventKind.BookTicker) { e.QuoteFlags |= (long)Storage.Format.RowFlags.ReceiveTimeUnknown; continue; } // Flags hold the ask there
                e.Flags |= (long)Storage.Format.RowFlags.ReceiveTimeUnknown;
            }
        }
        Probe?.Published(_first, _last, Live.Clock.NowNs());
        _sequencer.Publish(_last);
        Published += _last - _first + 1;
        _first = -1;
    }
}
