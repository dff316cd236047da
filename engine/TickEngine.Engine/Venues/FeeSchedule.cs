namespace TickEngine.Engine.Venues;

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

    /// <summary>The base-tier fees of the venue storing rows under <paramref name="exchange"/> (<see cref="Venue.Fees"/>); 0/0 for an unknown id.</summary>
    public static FeeSchedule DefaultFor(string exchange) => VenueRegistry.FeesOf(exchange);
}
