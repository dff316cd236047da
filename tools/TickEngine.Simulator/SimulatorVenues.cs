using TickEngine.Simulator.Dialects;
using TickEngine.Simulator.Market;

namespace TickEngine.Simulator;

/// <summary>The stream venues the simulator speaks, by name; a venue's simulator registers with one line here.</summary>
public static class SimulatorVenues
{
    public static IReadOnlyList<SimulatorVenue> All { get; } =
    [
        new("bybit", "/v5/public/<market>", () => new Dialects.Bybit.BybitProtocol()) { Symbol = s => s.ToUpperInvariant() },
        new("okx", "/ws/v5/public", () => new Dialects.Okx.OkxProtocol()),
        new("coinbase", "/", () => new Dialects.Coinbase.CoinbaseProtocol()),
    ];

    /// <summary>The simulator of <paramref name="name"/>, or null.</summary>
    public static SimulatorVenue? Find(string name) => All.FirstOrDefault(v => v.Name == name);

    /// <summary>The names, for messages: "bybit, okx, coinbase".</summary>
    public static string Names => string.Join(", ", All.Select(v => v.Name));
}
