namespace TickEngine.Engine.Research;

/// <summary>
/// Maker and taker fees in hundredths of a basis point of the notional (100 = 1 bp; negative = a rebate). The
/// defaults are each venue's base (lowest-volume) tier as its fee page publishes it; override them with
/// <c>--maker-bps</c> / <c>--taker-bps</c> for your own tier.
/// </summary>
public readonly record struct FeeSchedule(long MakerHundredthsBps, long TakerHundredthsBps)
{
    public static FeeSchedule FromBps(decimal maker, decimal taker) => new(ToHundredths(maker), ToHundredths(taker));

    private static long ToHundredths(decimal bps)
    {
        decimal h = bps * 100;
        if (h != decimal.Truncate(h)) throw new ArgumentException($"fee {bps} bps has more than two decimals: give it in hundredths of a basis point");
        return (long)h;
    }

    public decimal MakerBps => MakerHundredthsBps / 100m;
    public decimal TakerBps => TakerHundredthsBps / 100m;

    /// <summary>Base-tier fees per exchange id (spot 10/10 bp at Binance and Bybit spot, ...); 0/0 for an unknown id.</summary>
    public static FeeSchedule DefaultFor(string exchange) => exchange switch
    {
        "binance" => FromBps(10m, 10m),
        "binance-futures" => FromBps(2m, 5m),
        "bybit-spot" => FromBps(10m, 10m),
        "bybit" => FromBps(2m, 5.5m),
        "okx" => FromBps(8m, 10m),
        "coinbase" => FromBps(40m, 60m),
        _ => new FeeSchedule(0, 0),
    };
}
