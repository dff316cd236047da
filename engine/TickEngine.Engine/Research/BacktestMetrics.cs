namespace TickEngine.Engine.Research;

/// <summary>
/// The figures of a backtest. Money (PnL, fees, drawdown, turnover) is exact; ratios are doubles. Sharpe and
/// Sortino use the PnL of each equity interval (<see cref="Backtest.SampleNs"/>, a minute by default) in quote
/// currency, annualised by the square root of the intervals in a 365-day year (crypto trades every day, all day);
/// CVaR 95 % is the expected loss over the worst 5 % of those intervals (quote currency, a loss counted positive:
/// minus the mean of the worst 5 % of interval PnLs). <see cref="SpanNs"/> is the span the figures cover.
/// </summary>
public sealed record BacktestMetrics(
    Int128 TotalPnl, Int128 Realized, Int128 Unrealized, Int128 Fees, Int128 MakerFees, Int128 TakerFees, Int128 MaxDrawdown, Int128 Turnover,
    double Sharpe, double Sortino, double AnnualisationFactor, double CVaR95Loss, int Intervals,
    long Fills, long MakerFills, long MakerQuantity, long TakerQuantity, double HitRate, long ClosingFills, double FillRate, long OrdersSent,
    double MeanAbsInventory, long MaxAbsInventory, long FinalPosition, IReadOnlyList<(long Day, Int128 Pnl)> Days, long SpanNs)
{
    /// <summary>Shorter than this, an annualised ratio says little (a few minutes scaled to a year): reports say so.</summary>
    public const long ShortRunNs = 86_400_000_000_000;

    public static BacktestMetrics Of(Backtest b)
    {
        var m = b.Money;
        var pnl = new List<double>();
        for (int i = 1; i < b.Equity.Count; i++) pnl.Add(m.ToDouble(b.Equity[i].Equity - b.Equity[i - 1].Equity));
        double mean = pnl.Count > 0 ? pnl.Average() : 0;
        double sd = pnl.Count > 1 ? Math.Sqrt(pnl.Sum(x => (x - mean) * (x - mean)) / (pnl.Count - 1)) : 0;
        double downside = pnl.Count > 1 ? Math.Sqrt(pnl.Sum(x => x < 0 ? x * x : 0) / (pnl.Count - 1)) : 0;
        double factor = Math.Sqrt(365.0 * 86_400_000_000_000 / b.SampleNs);
        var sorted = pnl.Order().ToArray();
        int tail = Math.Max(1, (int)Math.Ceiling(sorted.Length * 0.05));
        double cvar = sorted.Length == 0 ? 0 : -sorted.Take(tail).Average();
        long span = b.LastNs > b.FirstNs ? b.LastNs - b.FirstNs : 0;
        double qScale = Math.Pow(10, m.QuantityScale);
        return new BacktestMetrics(b.TotalEquity, b.TotalRealized, b.TotalUnrealized, b.TotalFees, b.TotalMakerFees, b.TotalTakerFees, b.MaxDrawdown, b.TotalTurnover,
            sd > 0 ? mean / sd * factor : 0, downside > 0 ? mean / downside * factor : 0, factor, cvar, pnl.Count,
            b.TotalFills, b.TotalMakerFills, b.MakerQuantity, b.TakerQuantity, b.ClosingFills > 0 ? (double)b.WinningCloses / b.ClosingFills : 0, b.ClosingFills,
            b.QuantitySent > 0 ? (double)(b.MakerQuantity + b.TakerQuantity) / b.QuantitySent : 0, b.OrdersSent,
            span > 0 ? (double)b.PositionTime / span / qScale : 0, b.MaxAbsPosition, b.Legs.Count == 1 ? b.Portfolio.Position : b.NetPosition, b.Days, span);
    }
}
