using System.Globalization;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Commands;

/// <summary>
/// The handler behind <c>tickengine replay</c>: one line per replayed row (trades, L2 samples, bars; deltas as the
/// rebuilt book's best levels after each complete message), or, with the imbalance test, only the signals. Books
/// are rebuilt with <see cref="BookRebuilder"/> (the one the L2 sampler uses) and go out of sync at stored gaps and
/// at damage. Runs on its own thread on the ring; writes to the output it is given.
/// </summary>
public sealed class ReplayPrinter(TextWriter output, InstrumentRegistry registry, SchemaKind type, bool imbalance, bool quiet, ImbalanceSignal signal) : IValueEventHandler<MarketEvent>
{
    private readonly RowAssembler _rows = new();
    private BookRebuilder?[] _books = new BookRebuilder?[16];
    private readonly long[] _bidQ = new long[signal.Levels];
    private readonly long[] _askQ = new long[signal.Levels];
    private readonly long[] _px = new long[signal.Levels];
    private readonly long[] _one = new long[1];
    private readonly long[] _oneQ = new long[1];

    /// <summary>Damage markers seen (one per damaged segment).</summary>
    public long Damaged { get; private set; }

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        var inst = registry[e.InstrumentId];
        switch (e.Kind)
        {
            case EventKind.Trade:
                if (!quiet) output.WriteLine($"[{Stamp(e.ExchangeTime)}] Symbol: {inst.Symbol}, Trade: {FixedDecimal.ToString(e.Price, inst.PriceScale)} x {FixedDecimal.ToString(e.Quantity, inst.QuantityScale)}, {(TradeSide)e.Side}, id {((e.Flags & TradeIds.FormMask) == 0 ? e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : TradeIds.ToText(e.Id, e.Id2, e.Flags) ?? "invalid")}");
                break;
            case EventKind.RowPart:
                if (_rows.Add(e, out var row, out var schema)) Row(inst, schema, row);
                break;
            case EventKind.BookTicker:
                if (!quiet) output.WriteLine($"[{Stamp(e.ExchangeTime)}] Symbol: {inst.Symbol}, Quote: bid {FixedDecimal.ToString(e.BidPrice, inst.PriceScale)} x {FixedDecimal.ToString(e.BidQuantity, inst.QuantityScale)}, ask {FixedDecimal.ToString(e.AskPrice, inst.PriceScale)} x {FixedDecimal.ToString(e.AskQuantity, inst.QuantityScale)}");
                break;
            case EventKind.Funding:
                if (!quiet) output.WriteLine($"[{Stamp(e.ExchangeTime)}] Symbol: {inst.Symbol}, Funding: rate {FixedDecimal.ToString(e.FundingRate, e.FundingRateScale)}, next {(e.NextFunding > 0 ? Stamp(e.NextFunding) : "-")}, mark {(e.MarkPrice > 0 ? FixedDecimal.ToString(e.MarkPrice, inst.PriceScale) : "-")}, index {(e.IndexPrice > 0 ? FixedDecimal.ToString(e.IndexPrice, inst.PriceScale) : "-")}");
                break;
            case EventKind.BookDelta:
            case EventKind.Status:
                Book(ref e, inst);
                break;
        }
    }

    private void Row(Instrument inst, SchemaKind schema, ReadOnlySpan<long> c)
    {
        string stamp = Stamp(c[0]);
        if (schema == SchemaKind.L2)
        {
            int depth = (c.Length - L2Columns.FirstLevel) / 4;
            bool hasBid = c[L2Columns.BidCount] > 0, hasAsk = c[L2Columns.AskCount] > 0;
            if (imbalance)
            {
                for (int i = 0; i < signal.Levels; i++)
                {
                    _bidQ[i] = i < depth && i < c[L2Columns.BidCount] ? c[L2Columns.BidPrice(i) + 1] : 0;
                    _askQ[i] = i < depth && i < c[L2Columns.AskCount] ? c[L2Columns.AskPrice(depth, i) + 1] : 0;
                }
                Signal(stamp, inst.Symbol);
            }
            else if (!quiet)
                output.WriteLine($"[{stamp}] Symbol: {inst.Symbol}, Best bid: {(hasBid ? FixedDecimal.ToString(c[L2Columns.BidPrice(0)], inst.PriceScale) : "-")}, Best ask: {(hasAsk ? FixedDecimal.ToString(c[L2Columns.AskPrice(depth, 0)], inst.PriceScale) : "-")}");
        }
        else if (schema == SchemaKind.Bars && !quiet)
        {
            int ps = inst.PriceScale, qs = inst.QuantityScale;
            output.WriteLine($"[{stamp}] Symbol: {inst.Symbol}, {System.Text.Encoding.ASCII.GetString(Csv.ExportLayout.IntervalText(c[BarColumns.Interval]))} bar: open {FixedDecimal.ToString(c[BarColumns.Open], ps)}, high {FixedDecimal.ToString(c[BarColumns.High], ps)}, low {FixedDecimal.ToString(c[BarColumns.Low], ps)}, close {FixedDecimal.ToString(c[BarColumns.Close], ps)}, volume {FixedDecimal.ToString(c[BarColumns.Volume], qs)}");
        }
    }

    private void Book(ref MarketEvent e, Instrument inst)
    {
        if (e.Kind == EventKind.Status && (StatusKind)e.Side == StatusKind.Damaged)
        {
            Damaged++;
            if (!imbalance) output.WriteLine($"[{Stamp(e.ExchangeTime)}] Symbol: {inst.Symbol}, damaged segment: rows past this point could not be read{(type == SchemaKind.Deltas ? "; book out of sync until the next snapshot" : "")}");
        }
        if (type != SchemaKind.Deltas) return;
        var b = InstrumentSlots.At(ref _books, e.InstrumentId) ??= new BookRebuilder();
        bool wasValid = b.Valid;
        b.Apply(e);
        if (wasValid && !b.Valid && !quiet && !imbalance && (StatusKind)e.Side != StatusKind.Damaged)
            output.WriteLine($"[{Stamp(e.ExchangeTime)}] Symbol: {inst.Symbol}, book out of sync ({(StatusKind)e.Side})");
        if (e.Kind != EventKind.BookDelta || !b.Valid || !b.Consistent) return;
        string stamp = Stamp(e.ExchangeTime);
        if (imbalance)
        {
            Array.Clear(_bidQ);
            Array.Clear(_askQ);
            b.Book.CopyTop(BookSide.Bid, _px, _bidQ);
            b.Book.CopyTop(BookSide.Ask, _px, _askQ);
            Signal(stamp, inst.Symbol);
        }
        else if (!quiet)
        {
            bool hb = b.Book.CopyTop(BookSide.Bid, _one, _oneQ) > 0;
            long bid = _one[0];
            bool ha = b.Book.CopyTop(BookSide.Ask, _one, _oneQ) > 0;
            output.WriteLine($"[{stamp}] Symbol: {inst.Symbol}, Best bid: {(hb ? FixedDecimal.ToString(bid, inst.PriceScale) : "-")}, Best ask: {(ha ? FixedDecimal.ToString(_one[0], inst.PriceScale) : "-")}");
        }
    }

    private void Signal(string stamp, string symbol)
    {
        int s = signal.Evaluate(_bidQ, _askQ, out decimal ratio);
        if (s != 0 && !quiet)
            output.WriteLine($"[{stamp}] {(s > 0 ? "BUY SIGNAL" : "SELL SIGNAL")} {symbol}: bid/ask volume {ratio.ToString("0.###", CultureInfo.InvariantCulture)} over {signal.Levels} levels");
    }

    public void OnShutdown() => output.Flush();

    public static string Stamp(long ns)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(Math.DivRem(ns, 1_000_000, out long rem)).UtcDateTime;
        return t.ToString(t.Millisecond == 0 && rem == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
    }
}
