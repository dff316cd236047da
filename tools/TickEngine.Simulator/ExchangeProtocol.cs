using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator;

/// <summary>What a client's message on a session does: keys subscribed and unsubscribed, books that want a fresh snapshot, replies.</summary>
public sealed record ClientAction(IReadOnlyList<string> Subscribe, IReadOnlyList<string> Unsubscribe, IReadOnlyList<string> Books, IReadOnlyList<byte[]> Replies)
{
    public static readonly ClientAction None = new([], [], [], []);
}

/// <summary>
/// One symbol's book as the simulated exchange keeps it from the frames it plays: exact values at the market's
/// scale, and whatever the venue's snapshot needs besides the levels (<see cref="Fields"/>, <see cref="Texts"/>).
/// </summary>
public sealed class ExchangeBook(int scale)
{
    public readonly OrderBook Book = new();
    public int Scale => scale;
    public readonly Dictionary<string, long> Fields = new(StringComparer.Ordinal);
    public readonly Dictionary<string, string> Texts = new(StringComparer.Ordinal);

    /// <summary>Whatever else a venue's protocol keeps with the book (OKX: the book as its own text, for its checksum).</summary>
    public object? State;
    public bool Known;

    // A book started from REST snapshot points (Binance):
    public TaskCompletionSource Ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>Set when a REST depth request arrives before the book is known.</summary>
    public TaskCompletionSource Requested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    /// <summary>The recorded snapshot, for requests that were waiting when the market reached it.</summary>
    public byte[]? Recorded;
    /// <summary>Diffs sent before the book was known (one of them may end past the recorded snapshot).</summary>
    public readonly List<MarketFrame> Early = new();
    /// <summary>The book the recording starts from (after the snapshot and the diffs that bracket it).</summary>
    public (BookSide Side, long Price, long Qty)[] Start = [];

    /// <summary>Starts the book again (a snapshot).</summary>
    public void Clear()
    {
        Book.Clear();
        Known = true;
    }

    /// <summary>Sets a level from the venue's decimal text (0 removes it); a value not exact at the scale is refused.</summary>
    public void Set(bool bid, string price, string size) => Book.Set(bid ? BookSide.Bid : BookSide.Ask, Value(price), Value(size));

    /// <summary>The levels of a side, best first, as decimal text in shortest form.</summary>
    public IEnumerable<(string Price, string Size)> Levels(bool bid)
    {
        var side = bid ? BookSide.Bid : BookSide.Ask;
        int n = bid ? Book.BidCount : Book.AskCount;
        var p = new long[n];
        var q = new long[n];
        n = Book.CopyTop(side, p, q);
        for (int i = 0; i < n; i++) yield return (Text(p[i]), Text(q[i]));
    }

    private string Text(long value)
    {
        Span<byte> buffer = stackalloc byte[48];
        int w = FixedDecimal.Format(value, scale, buffer);
        return System.Text.Encoding.ASCII.GetString(buffer[..w]);
    }

    private long Value(string text)
    {
        if (!FixedDecimal.TryParse(text.AsSpan(), scale, out long v, out var err)) throw new InvalidDataException($"market value '{text}': {err}");
        return v;
    }
}

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

/// <summary>
/// A venue whose books start from REST depth snapshots and whose diffs chain by update id (Binance): the simulated
/// exchange serves those snapshots, the venue's REST errors and instrument list, and loops a market with a diff.
/// </summary>
public interface IRestSnapshotProtocol : IExchangeProtocol
{
    /// <summary>A REST depth snapshot of the book's top <paramref name="limit"/> levels a side.</summary>
    string RestDepth(ExchangeBook book, int limit);

    /// <summary>The body of a REST error: 400 unknown symbol, 429 too many requests, 500, 503 book not ready.</summary>
    string RestError(int status);

    /// <summary>The venue's instrument list.</summary>
    string ExchangeInfo(IEnumerable<string> symbols);

    /// <summary>Reads a REST depth snapshot (a market's snapshot point) into the book, its update id included.</summary>
    void ReadRestSnapshot(byte[] body, ExchangeBook book);

    /// <summary>One diff frame with update id <paramref name="updateId"/> making <paramref name="changes"/> (a looped market back at its start).</summary>
    MarketFrame ResetDiff(string symbol, long timeNs, long updateId, long eventTimeMs, IEnumerable<(BookSide Side, long Price, long Qty)> changes, int scale);
}

/// <summary>A venue whose simulator also plays the venue-neutral <see cref="Market.SyntheticMarket"/>, in its own words.</summary>
public interface ISyntheticProtocol : IExchangeProtocol
{
    /// <summary>A writer of the synthetic market's events in this venue's words, for one market.</summary>
    ISyntheticWriter SyntheticWriter(string market);
}

/// <summary>Writes synthetic market events as one venue's frames: each (subscription key, text).</summary>
public interface ISyntheticWriter
{
    IEnumerable<(string Key, string Text)> Write(SyntheticEvent e);
}
