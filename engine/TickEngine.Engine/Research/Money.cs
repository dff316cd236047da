using System.Globalization;
using System.Numerics;

namespace TickEngine.Engine.Research;

/// <summary>
/// Exact money for research: amounts in quote currency as <see cref="Int128"/> mantissas at
/// <see cref="Scale"/> = price scale + quantity scale + <see cref="FeeDigits"/> decimals, so that a price times a
/// quantity, half of it (a mid price) and a fee rate in hundredths of a basis point are all exact integers. Nothing
/// here rounds; <see cref="ToText"/> prints every digit.
/// </summary>
public readonly record struct MoneyScale(int PriceScale, int QuantityScale)
{
    /// <summary>Extra decimals: a fee rate of r hundredths of a basis point is r / 1,000,000 of the notional.</summary>
    public const int FeeDigits = 6;

    public int Scale => PriceScale + QuantityScale + FeeDigits;

    /// <summary>price x quantity (mantissas at their scales) as money.</summary>
    public Int128 Notional(long price, long quantity) => (Int128)price * quantity * 1_000_000;

    /// <summary>The mid of two prices times a quantity, exactly (the half goes into the fee digits).</summary>
    public Int128 MidNotional(long bid, long ask, long quantity) => ((Int128)bid + ask) * quantity * 500_000;

    /// <summary>A fee of <paramref name="hundredthsOfBps"/> (1 bp = 100; negative = a rebate) on a notional of price x quantity.</summary>
    public static Int128 Fee(long price, long quantity, long hundredthsOfBps) => (Int128)price * quantity * hundredthsOfBps;

    /// <summary>Money as exact decimal text ("-12.345", trailing zeros trimmed).</summary>
    public string ToText(Int128 amount) => Text(amount, Scale);

    /// <summary>A mantissa at a scale as exact decimal text, trailing zeros trimmed.</summary>
    public static string Text(Int128 amount, int scale)
    {
        bool negative = amount < 0;
        var digits = (negative ? -(BigInteger)amount : (BigInteger)amount).ToString(CultureInfo.InvariantCulture);
        if (scale > 0)
        {
            digits = digits.PadLeft(scale + 1, '0');
            string whole = digits[..^scale], frac = digits[^scale..].TrimEnd('0');
            digits = frac.Length > 0 ? $"{whole}.{frac}" : whole;
        }
        return negative ? "-" + digits : digits;
    }

    /// <summary>An amount divided by a quantity mantissa (an average price), as decimal text rounded half-even to <paramref name="decimals"/>.</summary>
    public string PerUnit(Int128 amount, long quantity, int decimals)
    {
        // amount / 10^Scale per (quantity / 10^QuantityScale) = amount / quantity / 10^(Scale - QuantityScale)
        var q = (BigInteger)amount * BigInteger.Pow(10, decimals);
        var d = (BigInteger)quantity * BigInteger.Pow(10, Scale - QuantityScale);
        var quotient = BigInteger.DivRem(q, d, out var rem);
        var twice = BigInteger.Abs(rem) * 2;
        if (twice > BigInteger.Abs(d) || (twice == BigInteger.Abs(d) && !quotient.IsEven)) quotient += (q.Sign * d.Sign);
        return Text((Int128)quotient, decimals);
    }

    /// <summary>Money as a double (for ratios such as Sharpe and for charts; never for sums).</summary>
    public double ToDouble(Int128 amount) => (double)amount / Math.Pow(10, Scale);
}
