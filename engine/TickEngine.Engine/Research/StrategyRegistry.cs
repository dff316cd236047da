using TickEngine.Engine.Research.Strategies;

namespace TickEngine.Engine.Research;

/// <summary>The strategies, by name, as the verbs are: a new strategy adds one entry here.</summary>
public static class StrategyRegistry
{
    public static IReadOnlyList<StrategyKind> All { get; } =
    [
        new("imbalance", "L2 imbalance: buys or sells at market when the top levels' bid/ask volume ratio passes a threshold",
        [
            ("levels", "5", "levels per side summed"), ("buy_above", "3.0", "buy when bids/asks is above this"), ("sell_below", "0.33", "sell when below this"),
            ("size", "0.01", "order size"), ("max_position", "0.05", "largest position either way"), ("cooldown_ms", "1000", "least time between orders"),
        ],
            (p, i) => new ImbalanceStrategy(p, i.QuantityScale)),
        new("mm", "market maker: one bid and one ask around the mid, skewed against the inventory",
        [
            ("spread_bps", "2", "quoted spread"), ("skew_bps", "1", "shift per size held"), ("size", "0.01", "quote size"),
            ("max_position", "0.05", "no quote past this position"), ("tick", "instrument", "the price grid (default: the instrument's tick)"), ("refresh_ms", "100", "least time between requotes"),
        ],
            (p, i) => new MarketMakerStrategy(p, i)),
        new("research-mm", "the research design's market maker: levels per side around a volatility-scaled spread, inventory skew, minimum time in book, replace threshold, imbalance cutoff",
        [
            ("k_vola_spread", "1.0", "half-spread in units of the mid's volatility (bp per sqrt s)"), ("skew_coeff", "0.3", "reservation shift in half-spreads at full inventory"),
            ("levels_per_side", "3", "quotes per side"), ("level_spacing_coeff", "0.4", "distance between levels in half-spreads"),
            ("min_time_in_book_ms", "500", "least time an order rests before it is replaced or cancelled"), ("replace_threshold_bps", "2", "replace only when the wanted price moved more"),
            ("imbalance_cutoff", "0.65", "no asks above it, no bids below 1 - it"), ("imbalance_levels", "5", "levels per side in the imbalance"),
            ("vola_halflife_s", "30", "half-life of the volatility estimate"), ("size", "0.001", "size of each quote"), ("max_position", "0.05", "largest position either way"),
        ],
            (p, i) => new ResearchMarketMakerStrategy(p, i)) { TuneBounds = ResearchMarketMakerStrategy.TuneBounds },
        new("basis", "cross-venue basis on two books of one asset (--leg EXCHANGE:SYMBOL): buys the cheap venue and sells the dear one at market when the gap passes enter_bps, trades back within exit_bps",
        [
            ("enter_bps", "5", "gap between one venue's bid and the other's ask that opens a position"), ("exit_bps", "0.5", "gap within which it is closed"),
            ("size", "0.001", "size per venue"), ("max_position", "0.01", "largest position per venue"), ("cooldown_ms", "500", "least time between rounds"),
        ],
            (p, i) => new BasisStrategy(p, i)) { Instruments = 2 },
    ];

    public static StrategyKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>The names, for messages: "imbalance, mm".</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(k => k.Name).ToList();

    /// <summary>The strategy <paramref name="name"/> with <paramref name="parameters"/>; an unknown name or parameter is an <see cref="ArgumentException"/>.</summary>
    public static IStrategy Create(string name, IReadOnlyDictionary<string, string> parameters, StrategyInstrument instrument) =>
        (Find(name) ?? throw new ArgumentException($"strategy '{name}' is not one of {string.Join(", ", Names)}"))
            .Create(new StrategyParameters(parameters), instrument);
}
