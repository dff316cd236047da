using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator;

/// <summary>
/// A venue's words for the simulated exchange (<see cref="SimulatedExchange"/>), which plays markets, keeps books,
/// paces, serves sessions and injects faults in no venue's words. Only protocols write venue JSON.
/// </summary>
public interface IExchangeProtocol
{
    /// <summary>The market a connection's URL or request path serves ("linear", "public"), or null (not this venue's).</summary>
    string? MarketOf(string urlOrPath);

    /// <summary>The subscription key of a stream name (Binance folds a depth stream's speeds; the others use keys as they are).</summary>
    string Key(string stream) => stream;

    /// <summary>A client's message on a session, given what the session has subscribed.</summary>
    ClientAction OnClient(ReadOnlySpan<byte> message, Func<string[]> subscriptions);

    /// <summary>The subscription key of a captured frame, or null for a frame the exchange does not replay (acknowledgements).</summary>
    string? KeyOf(JsonElement frame);

    /// <summary>For a book frame: plays it into the books and returns its (first) symbol and whether it is a delta; null for any other frame.</summary>
    (string Symbol, bool Delta)? ApplyBook(JsonElement frame, Func<string, ExchangeBook> books);

    /// <summary>A whole book as the venue sends it on (re)subscription; null where books come from REST snapshots.</summary>
    byte[]? Snapshot(string symbol, ExchangeBook book) => null;

    /// <summary>True when every frame is rewritten as it leaves a session (<see cref="Outgoing"/>).</summary>
    bool Renumbers => false;

    /// <summary>A frame as it leaves a session, with the session's message counter (Coinbase numbers a connection's messages).</summary>
    byte[] Outgoing(byte[] frame, ref long counter) => frame;

    /// <summary><paramref name="frame"/> (a point where the venue states its best bid and ask) filled from the exchange's book, or null.</summary>
    MarketFrame? Quote(MarketFrame frame, ExchangeBook book) => null;

    /// <summary>A frame cut short (the malformed fault).</summary>
    byte[] Malformed();

    /// <summary>The venue's notice that the server is going away, or null when it sends none.</summary>
    byte[]? ServerShutdown(long eventTimeMs) => null;

    /// <summary>A well-formed frame padded to <paramref name="size"/> bytes.</summary>
    byte[] Oversize(int size);
}
