using TickEngine.Engine.Venues;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Research;

/// <summary>
/// A simulated exchange over one instrument's replayed data, fed its events in exchange-time order (the caller
/// routes one instrument's events here). It keeps the book from the stored deltas and status markers
/// (<see cref="BookRebuilder"/>: no fill on a book out of sync), applies orders and cancels at their exchange
/// arrival time (decision + latency), walks the book level by level for takers (a book that runs out gives a
/// partial fill, reported), and places limit orders in the FIFO queue of their level (<see cref="QueueModel"/>).
/// Orders are held to the instrument's tick and lot (<see cref="Rules"/>): snapped or refused, and fills come in
/// whole lots. Resting orders fill by the <see cref="Matching"/> rules: <see cref="MatchingRules.Conservative"/>
/// (default) or hftbacktest's partial-fill exchange exactly (<see cref="MatchingRules.Hftbacktest"/>).
/// Fills never change the replayed book (no market impact: the history is what it was). Exact integers
/// throughout (hftbacktest's queue arithmetic is its own, in doubles); fees exact in <see cref="MoneyScale"/>. One thread.
/// </summary>
public sealed class ExecutionSimulator(MoneyScale money, QueueModel queue, LatencyModel latency, FeeSchedule fees)
{
    private readonly List<SimOrder> _orders = new();
    private readonly List<SimOrder> _live = new();    // pending or resting
    private readonly List<Fill> _fills = new();
    private readonly Queue<Fill> _delivery = new();
    private long _nextId = 1;
    private bool _wasValid;
    private long[] _prices = new long[256], _quantities = new long[256];

    public BookRebuilder Book { get; } = new();
    /// <summary>The instrument's tick and lot, and what an order off them gets.</summary>
    public InstrumentRules Rules { get; init; } = InstrumentRules.Units;
    /// <summary>How resting orders fill: hftbacktest's rules with its models (<c>hbt-*</c>), the conservative rules with the others.</summary>
    public MatchingRules Matching => queue.Hftbacktest ? MatchingRules.Hftbacktest : MatchingRules.Conservative;
    public LatencyModel Latency => latency;
    /// <summary>Orders whose price or quantity was moved onto the grid, and orders refused (below a lot, or off the grid under <see cref="OffGridPolicy.Refuse"/>).</summary>
    public long OrdersSnapped { get; private set; }
    public long OrdersRejected { get; private set; }
    public MoneyScale Money => money;
    public QueueModel Queue => queue;
    public FeeSchedule Fees => fees;
    /// <summary>Every order sent and every fill, when <see cref="KeepHistory"/> (tests, short runs); empty otherwise.</summary>
    public IReadOnlyList<SimOrder> Orders => _orders;
    /// <summary>Orders pending or resting now.</summary>
    public IReadOnlyList<SimOrder> LiveOrders => _live;
    public IReadOnlyList<Fill> Fills => _fills;

    /// <summary>
    /// Keep every order and fill in <see cref="Orders"/> and <see cref="Fills"/>. Off for backtests, which take fills as
    /// they are delivered (<see cref="TryTakeFill"/>) so that memory stays bounded however long the run.
    /// </summary>
    public bool KeepHistory { get; init; } = true;

    /// <summary>
    /// Queue every fill for delivery (<see cref="TryTakeFill"/>): the exchange's answers are events the trader takes
    /// after the exchange has acted, never calls into the trader while it matches (an order sent from a fill
    /// handler would otherwise change the orders being matched). Off: fills are only in <see cref="Fills"/>.
    /// </summary>
    public bool DeliverFills { get; init; }

    /// <summary>The oldest fill not yet delivered, in the order they happened; false when none is waiting.</summary>
    public bool TryTakeFill(out Fill fill) => _delivery.TryDequeue(out fill);

    /// <summary>Exchange time of the last event seen.</summary>
    public long Now { get; private set; }

    /// <summary>
    /// Sends an order decided at <paramref name="decisionNs"/> (on the exchange's clock: the strategy's receive time
    /// less the feed's clock offset); it reaches the exchange after the entry latency, and never before
    /// <paramref name="notBeforeNs"/> + latency (the exchange time of the data it answers). The price and quantity
    /// are held to <see cref="Rules"/>: snapped (a buy's price down, a sell's up, the quantity down to whole lots) or
    /// refused; a refused order comes back <see cref="OrderStatus.Rejected"/> with its reason.
    /// </summary>
    public SimOrder Submit(OrderSide side, OrderType type, long price, long quantity, long decisionNs, long notBeforeNs = long.MinValue)
    {
        if (quantity <= 0) throw new ArgumentOutOfRangeException(nameof(quantity), "an order's quantity must be above 0");
        if (type == OrderType.Limit && price <= 0) throw new ArgumentOutOfRangeException(nameof(price), "a limit order needs a price above 0");
        long px = type == OrderType.Limit ? Rules.SnapPrice(side, price) : 0, qty = Rules.SnapQuantity(quantity);
        string? refused = qty <= 0 ? "below one lot" : null;
        bool off = (type == OrderType.Limit && px != price) || qty != quantity;
        if (refused is null && off && Rules.OffGrid == OffGridPolicy.Refuse) refused = type == OrderType.Limit && px != price ? "price off the tick" : "quantity off the lot";
        var o = new SimOrder
        {
            Id = _nextId++, Side = side, Type = type, Price = refused is null ? px : price, Quantity = refused is null ? qty : quantity,
            DecisionNs = decisionNs, Status = OrderStatus.Pending,
        };
        if (refused is not null)
        {
            o.Status = OrderStatus.Rejected;
            o.Reason = $"{refused} ({Rules.Describe(money.PriceScale, money.QuantityScale)})";
            OrdersRejected++;
            if (KeepHistory) _orders.Add(o);
            return o;
        }
        if (off) OrdersSnapped++;
        long entry = Math.Max(0, latency.EntryNs());
        o.ArrivalNs = Math.Max(decisionNs, notBeforeNs) + entry;
        if (KeepHistory) _orders.Add(o);
        _live.Add(o);
        return o;
    }

    /// <summary>Asks to cancel; it takes effect after the cancel latency (fills before then stand).</summary>
    public void Cancel(SimOrder order, long decisionNs, long notBeforeNs = long.MinValue)
    {
        if (order.Status is OrderStatus.Pending or OrderStatus.Resting)
            order.CancelAtNs = Math.Min(order.CancelAtNs, Math.Max(decisionNs, notBeforeNs) + Math.Max(0, latency.CancelNs()));
    }

    /// <summary>Applies one event of the instrument: due orders and cancels first (the exchange acts at its time), then the event.</summary>
    public void OnEvent(in MarketEvent e)
    {
        if (e.Kind is not (EventKind.BookDelta or EventKind.Trade or EventKind.Status)) return;
        Act(e.ExchangeTime);
        Now = Math.Max(Now, e.ExchangeTime);
        if (e.Kind == EventKind.Trade) { OnTrade(e); return; }
        if (e.Kind == EventKind.BookDelta && e.Side != 0 && Book.Valid && (e.Flags & (long)(RowFlags.SnapshotBegins | RowFlags.BookReset)) == 0)
        {
            var side = (BookSide)e.Side;
            long previous = Book.Book.QuantityAt(side, e.Price);
            bool hadBest = side == BookSide.Bid ? Book.Book.TryBestBid(out long before, out _) : Book.Book.TryBestAsk(out before, out _);
            Book.Apply(e);
            OnLevelChange(side, e.Price, previous, e.Quantity);
            if (Matching == MatchingRules.Hftbacktest && Book.Valid && Book.Consistent) OnBestChange(side, hadBest ? before : 0, e.ExchangeTime);
        }
        else Book.Apply(e);
        bool valid = Book.Valid && Book.Consistent;
        if (valid && !_wasValid)
        {
            // Back in sync: where resting orders stand is unknown; each goes to the back of its level (conservative).
            foreach (var o in _live)
                if (o.Status == OrderStatus.Resting) { o.Ahead = DisplayedAt(o); o.TradedSinceChange = 0; o.Front = o.Ahead; o.CumTrade = 0; }
        }
        _wasValid = Book.Valid;
    }

    /// <summary>Runs every order and cancel due by <paramref name="exchangeNs"/> (also at the end of the data).</summary>
    public void Act(long exchangeNs)
    {
        for (int i = 0; i < _live.Count; i++)
        {
            var o = _live[i];
            if (o.CancelAtNs <= exchangeNs && o.CancelAtNs <= o.ArrivalNs)
            {
                o.Status = OrderStatus.Cancelled; // cancelled before it arrived
            }
            else if (o.Status == OrderStatus.Pending && o.ArrivalNs <= exchangeNs) Arrive(o);
            if (o.Status == OrderStatus.Resting && o.CancelAtNs <= exchangeNs) o.Status = OrderStatus.Cancelled;
            if (o.Status is not (OrderStatus.Pending or OrderStatus.Resting)) { _live.RemoveAt(i); i--; }
        }
    }

    private void Arrive(SimOrder o)
    {
        var book = Book.Book;
        bool synced = Book.Valid && Book.Consistent;
        if (synced && book.TryBestBid(out long bid, out _) && book.TryBestAsk(out long ask, out _)) { o.ArrivalBid = bid; o.ArrivalAsk = ask; }
        if (o.Type == OrderType.Market)
        {
            if (!synced) { o.Status = OrderStatus.Unfillable; o.Reason = "the book is out of sync (a gap, an invalid book or damage): no fill is simulated there"; return; }
            Take(o, limit: 0, o.ArrivalNs);
            if (o.Leaves > 0) { o.Status = OrderStatus.Unfillable; o.Reason = $"the book ran out: {o.Filled} of {o.Quantity} filled"; }
            else o.Status = OrderStatus.Filled;
            return;
        }
        // A limit order: what crosses the book is taken at once (taker); the rest joins the queue at its price.
        if (synced) Take(o, o.Price, o.ArrivalNs);
        if (o.Leaves == 0) { o.Status = OrderStatus.Filled; return; }
        o.Status = OrderStatus.Resting;
        o.Ahead = o.AheadAtPlacement = synced ? DisplayedAt(o) : 0;
        o.Front = o.Ahead;
        o.CumTrade = 0;
    }

    private long DisplayedAt(SimOrder o) => Book.Book.QuantityAt(o.Side == OrderSide.Buy ? BookSide.Bid : BookSide.Ask, o.Price);

    /// <summary>Walks the opposite side level by level up to <paramref name="limit"/> (0: no limit), filling as a taker.</summary>
    private void Take(SimOrder o, long limit, long timeNs)
    {
        var side = o.Side == OrderSide.Buy ? BookSide.Ask : BookSide.Bid;
        int n = CopySide(side);
        for (int i = 0; i < n && o.Leaves > 0; i++)
        {
            long px = _prices[i];
            if (limit != 0 && (o.Side == OrderSide.Buy ? px > limit : px < limit)) break;
            long q = Math.Min(o.Leaves, _quantities[i]);
            AddFill(o, timeNs, px, q, maker: false);
        }
    }

    private int CopySide(BookSide side)
    {
        int count = side == BookSide.Bid ? Book.Book.BidCount : Book.Book.AskCount;
        if (_prices.Length < count) { _prices = new long[count * 2]; _quantities = new long[count * 2]; }
        return Book.Book.CopyTop(side, _prices, _quantities);
    }

    private void OnTrade(in MarketEvent t)
    {
        if (!(Book.Valid && Book.Consistent)) return; // no fill is simulated on a book out of sync
        if (Matching == MatchingRules.Hftbacktest) { OnTradeHftbacktest(t); return; }
        long available = t.Quantity; // one trade fills our orders by at most its own quantity
        foreach (var o in _live)
        {
            if (o.Status != OrderStatus.Resting || available == 0) continue;
            // A resting buy is reached by sellers (aggressor sell) at or below its price; a resting sell by buyers.
            bool reaches = o.Side == OrderSide.Buy
                ? t.Side == (byte)TradeSide.Sell && t.Price <= o.Price
                : t.Side == (byte)TradeSide.Buy && t.Price >= o.Price;
            if (!reaches) continue;
            long fill;
            if (t.Price == o.Price)
            {
                // At the price: the trade consumes the front of the queue; what passes the volume ahead fills us.
                o.TradedSinceChange += t.Quantity;
                long passed = t.Quantity - o.Ahead;
                o.Ahead = Math.Max(0, o.Ahead - t.Quantity);
                fill = Math.Min(Math.Max(0, passed), o.Leaves);
            }
            else
            {
                // Through the price: the whole level, us included, was taken before this print.
                o.Ahead = 0;
                fill = o.Leaves;
            }
            fill = Rules.SnapQuantity(Math.Min(fill, available)); // fills come in whole lots
            if (fill <= 0) continue;
            available -= fill;
            AddFill(o, t.ExchangeTime, o.Price, fill, maker: true);
            if (o.Leaves == 0) o.Status = OrderStatus.Filled;
        }
    }

    /// <summary>
    /// hftbacktest's PartialFillExchange on a trade: an order priced through the print fills whole; at the print's
    /// price the queue model takes the trade (<c>front -= qty</c>) and the order fills what passed its front, in
    /// whole lots (<c>floor(-front / lot) * lot</c> once <c>round(front / lot) &lt; 0</c>), at most the print and its
    /// leaves. Each order is judged on the print alone (hftbacktest shares no print between orders).
    /// </summary>
    private void OnTradeHftbacktest(in MarketEvent t)
    {
        double lot = Rules.Lot;
        long time = t.ExchangeTime;
        foreach (var o in _live)
        {
            if (o.Status != OrderStatus.Resting) continue;
            bool opposite = o.Side == OrderSide.Buy ? t.Side == (byte)TradeSide.Sell : t.Side == (byte)TradeSide.Buy;
            if (!opposite) continue;
            bool through = o.Side == OrderSide.Buy ? o.Price > t.Price : o.Price < t.Price;
            if (through) { Fill(o, o.Leaves); continue; }
            if (o.Price != t.Price) continue;
            o.Front -= t.Quantity;
            o.CumTrade += t.Quantity; // risk-averse ignores it
            long filled = Math.Round(o.Front / lot, MidpointRounding.ToEven) < 0 ? (long)(Math.Floor(-o.Front / lot) * lot) : 0;
            if (filled > 0) Fill(o, Math.Min(Math.Min(filled, t.Quantity), o.Leaves));
        }

        void Fill(SimOrder o, long quantity)
        {
            if (quantity <= 0) return;
            AddFill(o, time, o.Price, quantity, maker: true);
            if (o.Leaves == 0) o.Status = OrderStatus.Filled;
        }
    }

    /// <summary>
    /// hftbacktest's rule on a best price move: a resting sell is filled whole when the best bid rises to its price
    /// or beyond, a resting buy when the best ask falls to its price or below (the book crossed it, whether or not a
    /// trade was printed).
    /// </summary>
    private void OnBestChange(BookSide side, long before, long timeNs)
    {
        var book = Book.Book;
        if (side == BookSide.Bid)
        {
            if (!book.TryBestBid(out long now, out _) || (before != 0 && now <= before)) return;
            foreach (var o in _live)
                if (o.Status == OrderStatus.Resting && o.Side == OrderSide.Sell && o.Price <= now && (before == 0 || o.Price > before)) Whole(o);
        }
        else
        {
            if (!book.TryBestAsk(out long now, out _) || (before != 0 && now >= before)) return;
            foreach (var o in _live)
                if (o.Status == OrderStatus.Resting && o.Side == OrderSide.Buy && o.Price >= now && (before == 0 || o.Price < before)) Whole(o);
        }

        void Whole(SimOrder o)
        {
            AddFill(o, timeNs, o.Price, o.Leaves, maker: true);
            o.Status = OrderStatus.Filled;
        }
    }

    private void OnLevelChange(BookSide side, long price, long previous, long now)
    {
        foreach (var o in _live)
        {
            if (o.Status != OrderStatus.Resting || o.Price != price || (o.Side == OrderSide.Buy ? BookSide.Bid : BookSide.Ask) != side) continue;
            if (queue.Hftbacktest)
            {
                o.Front = queue.Depth(o.Front, o.CumTrade, previous, now);
                o.CumTrade = 0;
                o.Ahead = (long)Math.Max(0, Math.Ceiling(o.Front));
                continue;
            }
            long afterTrades = Math.Max(0, previous - o.TradedSinceChange); // trades already took their part
            o.TradedSinceChange = 0;
            long decrease = afterTrades - now;
            if (decrease > 0) o.Ahead = queue.AfterDecrease(Math.Min(o.Ahead, afterTrades), afterTrades, decrease);
            else o.Ahead = Math.Min(o.Ahead, now); // growth joins behind us
        }
    }

    private void AddFill(SimOrder o, long timeNs, long price, long quantity, bool maker)
    {
        o.Filled += quantity;
        var fill = new Fill(o.Id, o.Side, timeNs, price, quantity, maker, MoneyScale.Fee(price, quantity, maker ? fees.MakerHundredthsBps : fees.TakerHundredthsBps));
        if (KeepHistory) _fills.Add(fill);
        if (DeliverFills) _delivery.Enqueue(fill);
    }

    /// <summary>
    /// What a taker order of <paramref name="quantity"/> on <paramref name="side"/> would get from the book as it is now
    /// (no order is placed): quantity filled, notional (money), levels touched, the price of the last level touched
    /// (0 when none). Reuses buffers: no allocation.
    /// </summary>
    public (long Filled, Int128 Notional, int Levels, long LastPrice) Walk(OrderSide side, long quantity)
    {
        int n = CopySide(side == OrderSide.Buy ? BookSide.Ask : BookSide.Bid);
        long left = quantity, last = 0;
        Int128 notional = 0;
        int levels = 0;
        for (int i = 0; i < n && left > 0; i++)
        {
            long q = Math.Min(left, _quantities[i]);
            notional += money.Notional(_prices[i], q);
            left -= q;
            levels++;
            last = _prices[i];
        }
        return (quantity - left, notional, levels, last);
    }
}
