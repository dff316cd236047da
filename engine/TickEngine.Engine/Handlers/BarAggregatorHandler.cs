using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Sinks;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Handlers;

/// <summary>
/// Builds OHLCV bars (1m, 5m, 15m, 1h, 4h, 1d by default) from trades, on exchange (trade) time. A bar covers
/// [open, open + interval) and is closed and written when the first trade of a later interval arrives (its
/// receive time is the bar's). Rule for intervals without trades: when the trade ids before and after the quiet
/// stretch are consecutive (no trade was missed), each empty interval gets a flat bar (open = high = low = close =
/// the previous close, volume 0, trade_count 0, trade ids 0); when trades may be missing (ids not consecutive),
/// no bar is invented. A bar that may not hold every trade of its interval is written with the <c>partial</c> flag:
/// the recording started inside it (its open time is before the instrument's first trade or level change of the
/// run), trade ids are missing at or inside it, or the recording stopped inside it.
/// An instrument's bars use one kind of trade: the kind (trade or aggTrade) seen first. Trades older than the
/// open bar are counted as late and left out. All of the id rules hold for venues whose trade ids rise by one
/// (<see cref="TradeIdKind.Sequential"/>); where ids promise nothing (<see cref="TradeIdKind.Integer"/>, and text
/// ids, stored as 0 in the bar), no flat bar is made and only the start and end of the recording make a bar partial.
/// <para>Nothing is made up across time the data does not cover: flat bars fill a quiet stretch only when the data
/// covers it (<see cref="L2SamplerHandler.Covered"/>: by the receive time that passed over it, or, where receive times
/// say nothing, up to <see cref="L2SamplerHandler.MaxQuietStretch"/>): a history trade sent at subscription, dated hours or years
/// before it was received, is a bar of its own, never the start of a run of flat bars up to now. A bar's volume that
/// would overflow 64 bits at the quantity scale closes the bar (partial) and the interval goes on in a second partial
/// bar; a scale change (<see cref="StatusKind.ScaleChange"/>) closes the instrument's open bars as partial at the old
/// scales.</para>
/// Its own thread; allocation-free per event.
/// </summary>
public sealed class BarAggregatorHandler : IValueEventHandler<MarketEvent>
{
    public static readonly long[] DefaultIntervals = [60_000_000_000, 300_000_000_000, 900_000_000_000, 3_600_000_000_000, 14_400_000_000_000, 86_400_000_000_000];

    private readonly RowOutput _output;
    private readonly long[] _intervals;
    private Series?[] _series = new Series?[16];

    private readonly bool _clocksComparable;

    /// <param name="clocksComparable">See <see cref="L2SamplerHandler"/>: quiet stretches are bounded by receive time.</param>
    public BarAggregatorHandler(RowOutput output, long[]? intervals = null, bool clocksComparable = true)
    {
        _clocksComparable = clocksComparable;
        _output = output;
        _intervals = intervals ?? DefaultIntervals;
    }

    public RowOutput Output => _output;
    public long LateTrades { get; private set; }
    public long FlatBars { get; private set; }

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        if (e.Kind == EventKind.Status && e.Side == (byte)StatusKind.ScaleChange && e.InstrumentId < _series.Length && _series[e.InstrumentId] is { } sc)
        {
            // The open bars hold values at the old scales: they close here (partial), before the output moves on.
            for (int k = 0; k < _intervals.Length; k++)
            {
                var bar = sc.Bars[k];
                if (!bar.Open) continue;
                Emit(e.InstrumentId, bar, _intervals[k], e.ReceiveTime, partial: true);
                bar.Open = false;
                bar.RestartPartial = true;
            }
        }
        _output.Observe(e);
        if (e.Kind is EventKind.Trade or EventKind.BookDelta)
        {
            // The instrument's data starts here: a bar that opened earlier cannot hold every trade of its interval.
            var first = SeriesOf(e.InstrumentId);
            if (first.FirstSeen == long.MaxValue) first.FirstSeen = e.ExchangeTime;
        }
        if (e.Kind == EventKind.Trade)
        {
            var s = SeriesOf(e.InstrumentId);
            if (s.IdKind < 0) s.IdKind = (int)_output.Registry[e.InstrumentId].TradeIds;
            long aggregated = e.Flags & (long)RowFlags.Aggregated;
            if (s.Kind < 0) s.Kind = aggregated;
            if (s.Kind == aggregated)
            {
                for (int k = 0; k < _intervals.Length; k++) Add(e.InstrumentId, s, s.Bars[k], _intervals[k], ref e);
                s.LastId = e.Id;
                s.LastTradeTime = e.ExchangeTime;
                s.LastTradeReceive = e.ReceiveTime;
            }
        }
    }

    private void Add(int instrumentId, Series s, Bar bar, long interval, ref MarketEvent e)
    {
        long t = e.ExchangeTime;
        long open = t - (((t % interval) + interval) % interval);
        if (bar.Open)
        {
            if (open < bar.Start)
            {
                if (interval == _intervals[0]) LateTrades++;
                return;
            }
            if (open > bar.Start)
            {
                long close = bar.Close;
                // Flat bars only where no trade was missed and the receive times cover the quiet stretch.
                bool unknown = (e.Flags & (long)RowFlags.ReceiveTimeUnknown) != 0;
                bool covered = L2SamplerHandler.Covered(s.LastTradeTime, s.LastTradeReceive, t, e.ReceiveTime, _clocksComparable && !unknown);
                bool contiguous = s.Sequential && e.Id == bar.LastId + 1 && covered;
                Emit(instrumentId, bar, interval, e.ReceiveTime, partial: false);
                if (contiguous)
                {
                    for (long q = bar.Start + interval; q < open; q += interval)
                    {
                        var row = _output.Row;
                        Array.Clear(row);
                        row[BarColumns.OpenTime] = q;
                        row[BarColumns.ReceiveTime] = e.ReceiveTime;
                        row[BarColumns.Interval] = interval;
                        row[BarColumns.Open] = row[BarColumns.High] = row[BarColumns.Low] = row[BarColumns.Close] = close;
                        _output.Append(instrumentId);
                        FlatBars++;
                    }
                }
                bar.Open = false;
            }
        }
        if (!bar.Open)
        {
            bar.Open = true;
            bar.Start = open;
            bar.O = bar.High = bar.Low = bar.Close = e.Price;
            bar.Volume = bar.BuyVolume = 0;
            bar.Count = 0;
            bar.FirstId = s.Text ? 0 : e.Id;
            // Partial when the recording started inside the interval, or when trades before this one are missing
            // (its id does not follow the previous trade's): the bar may lack trades of its interval.
            bar.Partial = open < s.FirstSeen || (s.Sequential && s.LastId != 0 && e.Id != s.LastId + 1) || bar.RestartPartial;
            bar.RestartPartial = false;
        }
        else if (bar.Volume > long.MaxValue - e.Quantity || (e.Side == (byte)TradeSide.Buy && bar.BuyVolume > long.MaxValue - e.Quantity))
        {
            // The volume would not fit 64 bits at this scale: this bar closes (partial) and a second one goes on.
            Emit(instrumentId, bar, interval, e.ReceiveTime, partial: true);
            bar.O = bar.High = bar.Low = bar.Close = e.Price;
            bar.Volume = bar.BuyVolume = 0;
            bar.Count = 0;
            bar.FirstId = s.Text ? 0 : e.Id;
            bar.Partial = true;
        }
        else if (s.Sequential && e.Id != bar.LastId + 1) bar.Partial = true; // trades missing inside the bar
        if (e.Price > bar.High) bar.High = e.Price;
        if (e.Price < bar.Low) bar.Low = e.Price;
        bar.Close = e.Price;
        bar.Volume += e.Quantity;
        if (e.Side == (byte)TradeSide.Buy) bar.BuyVolume += e.Quantity;
        bar.Count++;
        bar.LastId = s.Text ? 0 : e.Id;
        bar.LastReceive = e.ReceiveTime;
    }

    private void Emit(int instrumentId, Bar bar, long interval, long receiveNs, bool partial)
    {
        var row = _output.Row;
        row[BarColumns.OpenTime] = bar.Start;
        row[BarColumns.ReceiveTime] = receiveNs;
        row[BarColumns.Interval] = interval;
        row[BarColumns.Open] = bar.O;
        row[BarColumns.High] = bar.High;
        row[BarColumns.Low] = bar.Low;
        row[BarColumns.Close] = bar.Close;
        row[BarColumns.Volume] = bar.Volume;
        row[BarColumns.BuyVolume] = bar.BuyVolume;
        row[BarColumns.TradeCount] = bar.Count;
        row[BarColumns.FirstTradeId] = bar.FirstId;
        row[BarColumns.LastTradeId] = bar.LastId;
        row[BarColumns.Flags] = partial || bar.Partial ? (long)RowFlags.Partial : 0;
        _output.Append(instrumentId);
    }

    public void OnTimeout(long sequence) => _output.OnIdle();

    public void OnShutdown()
    {
        for (int i = 0; i < _series.Length; i++)
        {
            var s = _series[i];
            if (s is null) continue;
            for (int k = 0; k < _intervals.Length; k++)
                if (s.Bars[k].Open) Emit(i, s.Bars[k], _intervals[k], s.Bars[k].LastReceive, partial: true);
        }
        _output.Dispose();
    }

    private Series SeriesOf(int id) => InstrumentSlots.At(ref _series, id) ??= new Series(_intervals.Length);

    private sealed class Series(int intervals)
    {
        public readonly Bar[] Bars = Enumerable.Range(0, intervals).Select(_ => new Bar()).ToArray();
        public long Kind = -1;
        public long LastId;
        /// <summary>The instrument's <see cref="TradeIdKind"/>, -1 until its first trade.</summary>
        public int IdKind = -1;
        public bool Sequential => IdKind == (int)TradeIdKind.Sequential;
        public bool Text => IdKind == (int)TradeIdKind.Text;
        /// <summary>Exchange time of the instrument's first trade or level change in this run.</summary>
        public long FirstSeen = long.MaxValue;
        /// <summary>Exchange and receive time of the last trade aggregated.</summary>
        public long LastTradeTime = long.MinValue, LastTradeReceive = long.MinValue;
    }

    private sealed class Bar
    {
        public bool Open;
        public bool Partial;
        /// <summary>The next bar opened here is partial (the bar before it was closed early by a scale change).</summary>
        public bool RestartPartial;
        public long Start, O, High, Low, Close, Volume, BuyVolume, Count, FirstId, LastId, LastReceive;
    }
}
