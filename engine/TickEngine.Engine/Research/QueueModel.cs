using System.Globalization;

namespace TickEngine.Engine.Research;

/// <summary>
/// Where a resting limit order stands in the FIFO queue of its price level, from L2 (market-by-price) data, which
/// shows only the level's total. At placement the volume ahead is the displayed quantity there. A trade at the
/// price consumes the front of the queue; the model decides how much of a <em>decrease</em> of the displayed
/// quantity that no trade explains (a cancellation) was ahead of the order.
/// <para>
/// Two families. <b>hftbacktest's models, exactly</b> (<c>hbt-*</c>; hftbacktest's <c>models/queue.rs</c>, after
/// Rigtorp's estimator, https://rigtorp.se/2013/06/08/estimating-order-queue-position.html): the volume ahead is a
/// real number that trades lower (and past zero: the order is filled by what passes it, in whole lots); a depth
/// change at the price, net of the trades since the last one (chg = prev − new − traded), moves it by
/// <c>front − (1 − p) chg + min(back − p chg, 0)</c> with <c>back = prev − front</c>, never past the new quantity.
/// p is the probability that the decrease was behind the order: <c>hbt-power:N</c> f(back)/(f(back)+f(front)) with
/// f(x) = x^N (PowerProbQueueFunc), <c>hbt-power2:N</c> f(back)/f(back+front) (PowerProbQueueFunc2),
/// <c>hbt-power3:N</c> 1 − f(front/(front+back)) (PowerProbQueueFunc3), <c>hbt-log</c> and <c>hbt-log2</c> with
/// f(x) = ln(1+x) (LogProbQueueFunc, LogProbQueueFunc2), and <c>hbt-risk-averse</c> (RiskAdverseQueueModel).
/// </para>
/// <para>
/// <b>The conservative family</b> (the default, <c>risk-averse</c>, <c>powerN</c>, <c>log</c>): the same estimator on
/// whole quantities, with <c>back</c> counted net of the trades already taken from the level (hftbacktest counts the
/// traded quantity as still behind the order, which moves it forward faster), the share ahead floored (never an
/// optimistic fill) and the front never below zero.
/// </para>
/// </summary>
public abstract class QueueModel
{
    public abstract string Name { get; }

    /// <summary>hftbacktest's arithmetic (a real-valued front, trades netted once per depth change) rather than the conservative one.</summary>
    public virtual bool Hftbacktest => false;

    /// <summary>
    /// Conservative family: the new volume ahead after the level's displayed quantity fell by
    /// <paramref name="decrease"/> (> 0, net of trades at the price since the last change) from
    /// <paramref name="previous"/>, the order having <paramref name="front"/> ahead of it.
    /// </summary>
    public virtual long AfterDecrease(long front, long previous, long decrease) => throw new NotSupportedException($"{Name} is one of hftbacktest's models: use Depth");

    /// <summary>
    /// hftbacktest family: the front after the level went from <paramref name="prev"/> to <paramref name="now"/>,
    /// given the front and the trade quantity at the price since the last change (hftbacktest's <c>depth</c>).
    /// </summary>
    public virtual double Depth(double front, double tradedSinceChange, double prev, double now) => throw new NotSupportedException($"{Name} is a conservative model: use AfterDecrease");

    /// <summary>Only trades advance the order: a cancellation is always behind it.</summary>
    public static QueueModel RiskAverse { get; } = new RiskAverseModel();

    /// <summary>Rigtorp's estimator with f(x) = x^n, conservative family.</summary>
    public static QueueModel Power(double n) => new ProbModel($"power{Num(n)}", x => Math.Pow(x, n));

    /// <summary>Rigtorp's estimator with f(x) = log(1 + x), conservative family.</summary>
    public static QueueModel Log { get; } = new ProbModel("log", x => Math.Log(1 + x));

    /// <summary>hftbacktest's RiskAdverseQueueModel.</summary>
    public static QueueModel HbtRiskAverse { get; } = new HbtRiskAverseModel();

    /// <summary>hftbacktest's ProbQueueModel with PowerProbQueueFunc(n): p = back^n / (back^n + front^n).</summary>
    public static QueueModel HbtPower(double n) => new HbtProbModel($"hbt-power:{Num(n)}", (f, b) => Math.Pow(b, n) / (Math.Pow(b, n) + Math.Pow(f, n)));

    /// <summary>hftbacktest's PowerProbQueueFunc2(n): p = back^n / (back + front)^n.</summary>
    public static QueueModel HbtPower2(double n) => new HbtProbModel($"hbt-power2:{Num(n)}", (f, b) => Math.Pow(b, n) / Math.Pow(b + f, n));

    /// <summary>hftbacktest's PowerProbQueueFunc3(n): p = 1 − (front / (front + back))^n.</summary>
    public static QueueModel HbtPower3(double n) => new HbtProbModel($"hbt-power3:{Num(n)}", (f, b) => 1.0 - Math.Pow(f / (f + b), n));

    /// <summary>hftbacktest's LogProbQueueFunc: p = ln(1+back) / (ln(1+back) + ln(1+front)).</summary>
    public static QueueModel HbtLog { get; } = new HbtProbModel("hbt-log", (f, b) => Math.Log(1 + b) / (Math.Log(1 + b) + Math.Log(1 + f)));

    /// <summary>hftbacktest's LogProbQueueFunc2: p = ln(1+back) / ln(1+back+front).</summary>
    public static QueueModel HbtLog2 { get; } = new HbtProbModel("hbt-log2", (f, b) => Math.Log(1 + b) / Math.Log(1 + b + f));

    /// <summary>Every name <see cref="Parse"/> takes, for help and messages.</summary>
    public const string Names = "risk-averse, power1, power2, power3 (any powerN), log; hftbacktest's exactly: hbt-risk-averse, hbt-power:N, hbt-power2:N, hbt-power3:N, hbt-log, hbt-log2";

    /// <summary>A model by name (<see cref="Names"/>).</summary>
    public static QueueModel Parse(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        if (n is "risk-averse" or "riskaverse" or "risk_averse") return RiskAverse;
        if (n == "log") return Log;
        if (n is "hbt-risk-averse") return HbtRiskAverse;
        if (n == "hbt-log") return HbtLog;
        if (n == "hbt-log2") return HbtLog2;
        if (n.StartsWith("hbt-power", StringComparison.Ordinal))
        {
            int colon = n.IndexOf(':');
            string form = colon < 0 ? n : n[..colon];
            if (colon > 0 && Positive(n[(colon + 1)..], out double e))
            {
                if (form == "hbt-power") return HbtPower(e);
                if (form == "hbt-power2") return HbtPower2(e);
                if (form == "hbt-power3") return HbtPower3(e);
            }
            throw new ArgumentException($"queue model '{name}': give hftbacktest's power forms with their exponent, hbt-power:N, hbt-power2:N or hbt-power3:N (N > 0, e.g. hbt-power:2)");
        }
        if (n.StartsWith("power", StringComparison.Ordinal) && Positive(n[5..], out double p)) return Power(p);
        throw new ArgumentException($"queue model '{name}' is not one of {Names}");
    }

    private static bool Positive(string text, out double v) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out v) && v > 0 && double.IsFinite(v);

    private static string Num(double n) => n.ToString(CultureInfo.InvariantCulture);

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

    private sealed class HbtRiskAverseModel : QueueModel
    {
        public override string Name => "hbt-risk-averse";
        public override bool Hftbacktest => true;
        public override double Depth(double front, double tradedSinceChange, double prev, double now) => RustMin(front, now);
    }

    private sealed class HbtProbModel(string name, Func<double, double, double> prob) : QueueModel
    {
        public override string Name => name;
        public override bool Hftbacktest => true;

        public override double Depth(double front, double tradedSinceChange, double prev, double now)
        {
            double chg = prev - now - tradedSinceChange;
            if (chg < 0) return RustMin(front, now); // growth joins behind
            double back = prev - front;
            double p = prob(front, back);
            if (double.IsInfinity(p)) p = 1.0;
            double estimate = front - (1.0 - p) * chg + RustMin(back - p * chg, 0.0);
            return RustMin(estimate, now);
        }
    }

    /// <summary>Rust's f64::min: a NaN argument gives the other one (hftbacktest's arithmetic relies on it when front and back are both 0).</summary>
    private static double RustMin(double a, double b) => double.IsNaN(a) ? b : double.IsNaN(b) ? a : Math.Min(a, b);
}
