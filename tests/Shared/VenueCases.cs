namespace TickEngine.Tests.Shared;

/// <summary>
/// One stream venue's case for every per-venue test (live through its simulator, from its capture, under faults):
/// its real capture and the instruments recorded from it, the synthetic market's symbols, and the facts of its
/// protocol the tests check. A fifth venue adds one row.
/// </summary>
public sealed record VenueCase(
    string Venue,
    string Capture,
    string[] LiveSymbols,
    double LiveSpeed,
    string[] SyntheticSymbols,
    int FaultFrame,
    double FaultSpeed)
{
    /// <summary>The finest time the venue writes (Coinbase: microseconds; the others milliseconds).</summary>
    public long TimeResolutionNs { get; init; } = 1_000_000;

    /// <summary>A synthetic trade id as the venue writes it.</summary>
    public Func<long, string> SyntheticTradeId { get; init; } = id => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The venue sends a checksum with every book message (OKX).</summary>
    public bool Checksums { get; init; }

    /// <summary>The venue's best bid and ask are judged against the book (Bybit's tickers).</summary>
    public bool JudgedTickers { get; init; }

    /// <summary>The capture holds funding (Bybit's linear tickers).</summary>
    public bool FundingInCapture { get; init; }

    /// <summary>Level-change ids number the connection's messages (Coinbase's <c>sequence_num</c>): a simulator's own connection numbers them anew.</summary>
    public bool IdsPerConnection { get; init; }

    public string CapturePath => RepoPaths.Fixture(Capture);

    public override string ToString() => Venue;
}

/// <summary>The stream venues' cases.</summary>
public static class VenueCases
{
    public static IReadOnlyList<VenueCase> All { get; } =
    [
        new("bybit", "bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz", ["BTCUSDT", "ETHUSDT", "SOLUSDT", "DOGEUSDT"], 25, ["BTCUSDT", "ETHUSDT"], 400, 10)
        {
            SyntheticTradeId = id => $"00000000-0000-4000-8000-{id:x12}",
            JudgedTickers = true,
            FundingInCapture = true,
        },
        new("okx", "okx/cryptofeed_OKX_v5.jsonl.gz", ["BTC-USDT", "UNI-USD-SWAP", "BTC-USD-220527"], 30, ["BTC-USDT", "ETH-USDT"], 150, 30)
        {
            Checksums = true,
        },
        new("coinbase", "coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz", ["BTC-USD", "ETH-USD"], 10, ["BTC-USD", "ETH-USD"], 120, 3)
        {
            TimeResolutionNs = 1_000,
            IdsPerConnection = true,
        },
    ];

    public static VenueCase Of(string venue) => All.Single(c => c.Venue == venue);

    /// <summary>The venues' names, for a theory.</summary>
    public static Xunit.TheoryData<string> Names
    {
        get
        {
            var d = new Xunit.TheoryData<string>();
            foreach (var c in All) d.Add(c.Venue);
            return d;
        }
    }
}
