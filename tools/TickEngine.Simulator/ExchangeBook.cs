using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator;

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
