namespace TickEngine.Engine.Research;

/// <summary>
/// Position and PnL of one instrument from fills, exact: open lots are kept first in, first out, so realized PnL is
/// a sum of (exit - entry) x quantity over integer prices and quantities; unrealized PnL marks the open lots to the
/// mid; fees (negative: rebates) are summed apart. All money is <see cref="Int128"/> at <see cref="MoneyScale"/>, so
/// the identity equity = realized + unrealized - fees holds exactly at every step, and so does
/// equity change = realized change + unrealized change - fees change.
/// </summary>
public sealed class Portfolio(MoneyScale money)
{
    private readonly List<(long Price, long Quantity)> _lots = new(); // open lots from _head on, all on the side of Position
    private int _head;
    private Int128 _openCost;    // sum of price x quantity of the open lots (money)

    public MoneyScale Money => money;
    /// <summary>Signed position (mantissa at the quantity scale): above 0 long, below 0 short.</summary>
    public long Position { get; private set; }
    public Int128 Realized { get; private set; }
    public Int128 Fees { get; private set; }
    /// <summary>Fees paid as a maker and as a taker (a maker rebate makes the first negative).</summary>
    public Int128 MakerFees { get; private set; }
    public Int128 TakerFees { get; private set; }
    public long Fills { get; private set; }
    public long MakerFills { get; private set; }
    /// <summary>Sum of |price x quantity| of every fill (money).</summary>
    public Int128 Turnover { get; private set; }
    public Int128 Unrealized { get; private set; }
    public long LastBid { get; private set; }
    public long LastAsk { get; private set; }

    /// <summary>realized + unrealized - fees.</summary>
    public Int128 Equity => Realized + Unrealized - Fees;

    /// <summary>The average entry price of the open position as exact money per unit (open cost / position), or null when flat.</summary>
    public (Int128 Cost, long Quantity)? AverageEntry => Position == 0 ? null : (_openCost, Math.Abs(Position));

    public void Apply(in Fill f)
    {
        long signed = f.Side == OrderSide.Buy ? f.Quantity : -f.Quantity;
        Fills++;
        if (f.Maker) { MakerFills++; MakerFees += f.Fee; } else TakerFees += f.Fee;
        Fees += f.Fee;
        Turnover += money.Notional(f.Price, f.Quantity);
        long left = f.Quantity;
        // Closing first: against the oldest lots of the opposite side.
        while (left > 0 && Position != 0 && Math.Sign(Position) != Math.Sign(signed))
        {
            var (lotPrice, lotQty) = _lots[_head];
            long q = Math.Min(left, lotQty);
            // A long closed by a sell earns (exit - entry); a short closed by a buy earns (entry - exit).
            Realized += Position > 0 ? money.Notional(f.Price - lotPrice, q) : money.Notional(lotPrice - f.Price, q);
            _openCost -= money.Notional(lotPrice, q);
            Position += Position > 0 ? -q : q;
            left -= q;
            if (q == lotQty) _head++;
            else _lots[_head] = (lotPrice, lotQty - q);
        }
        if (_head > 64 && _head * 2 > _lots.Count) { _lots.RemoveRange(0, _head); _head = 0; }
        if (left > 0)
        {
            _lots.Add((f.Price, left));
            _openCost += money.Notional(f.Price, left);
            Position += signed > 0 ? left : -left;
        }
        Remark();
    }

    /// <summary>Marks the open lots to the mid of <paramref name="bid"/> and <paramref name="ask"/>.</summary>
    public void Mark(long bid, long ask)
    {
        LastBid = bid;
        LastAsk = ask;
        Remark();
    }

    private void Remark()
    {
        if (Position == 0 || LastBid <= 0 || LastAsk <= 0) { Unrealized = 0; return; }
        Int128 value = money.MidNotional(LastBid, LastAsk, Math.Abs(Position));
        Unrealized = Position > 0 ? value - _openCost : _openCost - value;
    }
}
