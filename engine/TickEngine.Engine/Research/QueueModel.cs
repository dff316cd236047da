namespace TickEngine.Engine.Research;

/// <summary>
/// Where a resting limit order stands in the FIFO queue of its price level, from L2 (market-by-price) data, which
/// shows only the level's total. At placement the volume ahead is the displayed quantity there. A trade at the
/// price consumes the front of the queue; the model decides how much of a <em>decrease</em> of the displayed
/// quantity that no trade explains (a cancellation) was ahead of the order. The models follow hftbacktest's
/// documented queue models (https://hftbacktest.readthedocs.io/en/latest/reference/queue_models.html, and its
/// "Order Fill" page): <c>RiskAverseQueueModel</c> (only trades advance the order) and <c>ProbQueueModel</c> with the
/// power and log functions, after Rigtorp's estimator
/// (https://quant.stackexchange.com/questions/3782/how-do-we-estimate-position-of-our-order-in-order-book): a
/// decrease happens behind the order with probability p = f(back) / (f(front) + f(back)), where front is the
/// volume ahead and back the volume behind; the part (1 - p) of it is taken from the front, and what the back
/// cannot hold of its share comes from the front too. Quantities are exact mantissas; the fractional share is
/// rounded toward keeping the order further back (never an optimistic fill).
/// </summary>
public abstract class QueueModel
{
    public abstract string Name { get; }

    /// <summary>
    /// The new volume ahead after the level's displayed quantity fell by <paramref name="decrease"/> (> 0, net of
    /// trades at the price since the last change) from <paramref name="previous"/>, the order having
    /// <paramref name="front"/> ahead of it.
    /// </summary>
    public abstract long AfterDecrease(long front, long previous, long decrease);

    /// <summary>Only trades advance the order: a cancellation is always behind it.</summary>
    public static QueueModel RiskAverse { get; } = new RiskAverseModel();

    /// <summary>Rigtorp's estimator with f(x) = x^n (n = 1 identity, 2 square, 3 ... more optimistic).</summary>
    public static QueueModel Power(double n) => new ProbModel($"power{n.ToString(System.Globalization.CultureInfo.InvariantCulture)}", x => Math.Pow(x, n));

    /// <summary>Rigtorp's estimator with f(x) = log(1 + x).</summary>
    public static QueueModel Log { get; } = new ProbModel("log", x => Math.Log(1 + x));

    /// <summary>A model by name: risk-averse, power1, power2, power3 (any powerN), log.</summary>
    public static QueueModel Parse(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n is "risk-averse" or "riskaverse" or "risk_averse") return RiskAverse;
        if (n == "log") return Log;
        if (n.StartsWith("power", StringComparison.Ordinal) && double.TryParse(n[5..], System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double p) && p > 0)
            return Power(p);
        throw new ArgumentException($"queue model '{name}' is not risk-averse, log or powerN (power1, power2, power3, ...)");
    }

    private sealed class RiskAverseModel : QueueModel
    {
        public override string Name => "risk-averse";
        public override long AfterDecrease(long front, long previous, long decrease) => Math.Min(front, previous - decrease);
    }

    private sealed class ProbModel(string name, Func<double, double> f) : QueueModel
    {
        public override string Name => name;

        public override long AfterDecrease(long front, long previous, long decrease)
        {
            long back = Math.Max(0, previous - front);
            double fb = f(back), ff = f(front);
            double pBehind = fb + ff > 0 ? fb / (fb + ff) : 1.0;
            if (!double.IsFinite(pBehind)) pBehind = 1.0;
            double behind = pBehind * decrease;
            double ahead = decrease - behind + Math.Max(0, behind - back); // what the back cannot hold comes from the front
            long aheadUnits = (long)Math.Floor(ahead);                         // rounded toward keeping the order back
            long next = front - aheadUnits;
            return Math.Clamp(next, 0, Math.Max(0, previous - decrease));
        }
    }
}
