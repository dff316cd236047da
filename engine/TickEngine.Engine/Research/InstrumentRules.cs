using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Research;

/// <summary>What an exchange does with an order off the instrument's grid.</summary>
public enum OffGridPolicy : byte
{
    /// <summary>Prices snap to the tick away from the other side (a buy down, a sell up: never more aggressive), quantities down to whole lots; below one lot is refused.</summary>
    Snap,
    /// <summary>A price off the tick or a quantity off the lot is refused (as most exchanges answer: "invalid price/quantity filter").</summary>
    Refuse,
}

/// <summary>
/// The instrument's price tick and quantity lot, as mantissas at its scales, and where they came from (stated in
/// every report): given (<c>--tick</c>, <c>--lot</c>), or inferred from the data: the greatest common divisor of the
/// prices and of the quantities the book and the trades show, which is the grid itself or a multiple of it (never
/// finer than the exchange's, so an inferred grid never lets an order the exchange would refuse through).
/// </summary>
public sealed record InstrumentRules(long Tick, long Lot, string Source, OffGridPolicy OffGrid = OffGridPolicy.Snap)
{
    /// <summary>No grid but the scales' own units.</summary>
    public static InstrumentRules Units { get; } = new(1, 1, "none (every unit of the scales)");

    /// <summary>The price an order gets on the grid: a buy rounds down, a sell up (never more aggressive than asked).</summary>
    public long SnapPrice(OrderSide side, long price)
    {
        if (Tick <= 1) return price;
        long floor = Math.DivRem(price, Tick, out long rem) * Tick;
        if (rem == 0) return price;
        return side == OrderSide.Buy ? floor : floor + Tick;
    }

    /// <summary>The quantity in whole lots (rounded down).</summary>
    public long SnapQuantity(long quantity) => Lot <= 1 ? quantity : quantity / Lot * Lot;

    /// <summary>"tick 0.10, lot 0.001 (inferred ...)" at the instrument's scales.</summary>
    public string Describe(int priceScale, int quantityScale) =>
        $"tick {FixedDecimal.ToString(Tick, priceScale)}, lot {FixedDecimal.ToString(Lot, quantityScale)} ({Source}); off-grid orders {(OffGrid == OffGridPolicy.Snap ? "snapped" : "refused")}";

    /// <summary>Greatest common divisor of non-negative values (0 with 0 is 0).</summary>
    public static long Gcd(long a, long b)
    {
        a = Math.Abs(a); b = Math.Abs(b);
        while (b != 0) (a, b) = (b, a % b);
        return a;
    }
}
