using TickEngine.Simulator.Dialects;
using TickEngine.Simulator.Market;

namespace TickEngine.Simulator;

/// <summary>
/// A stream venue the simulator speaks: its venue id (the engine's), its protocol, the route a client connects to,
/// and how the synthetic market's symbols are written for it. Binance, whose books start from REST snapshots, is
/// served by <see cref="SimulatorServer"/> with <see cref="Dialects.Binance.BinanceProtocol"/>.
/// </summary>
public sealed record SimulatorVenue(string Name, string Route, Func<ISyntheticProtocol> Protocol)
{
    /// <summary>A symbol as the venue writes it (Bybit's are upper case).</summary>
    public Func<string, string> Symbol { get; init; } = s => s;

    /// <summary>The venue's real capture (cryptofeed JSON records) played in its protocol, over loopback.</summary>
    public Task<DialectExchange> StartAsync(string capture, double speed = 1, string host = "127.0.0.1", int port = 0, int dropDelta = -1, int stallAt = -1, int dropAt = -1) =>
        DialectExchange.StartAsync(Protocol(), capture, speed, host, port, dropDelta, stallAt, dropAt);

    /// <summary>The venue-neutral synthetic market in the venue's words (<paramref name="events"/> after its opening snapshots; endless by default).</summary>
    public Task<DialectExchange> StartSyntheticAsync(SyntheticMarket market, long events = long.MaxValue, double speed = 1, string host = "127.0.0.1", int port = 0,
        int dropDelta = -1, int stallAt = -1, int dropAt = -1) =>
        DialectExchange.StartSyntheticAsync(Protocol(), market, events, speed, host, port, dropDelta, stallAt, dropAt);
}
