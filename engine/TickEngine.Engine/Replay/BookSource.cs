using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Replay;

/// <summary>
/// Where an instrument's book comes from in a data root, asked once for <c>slippage</c> and <c>backtest</c> alike: its
/// stored deltas (full depth), or, when it has none, its L2 samples (top <see cref="SampleDepth"/> levels only); its
/// exchange (the one the symbol is recorded on), the scales it is replayed at (the largest among its segments), and
/// the exchange-time span its book covers (from the segments' block indexes, no row read).
/// </summary>
public sealed record BookSource(string Exchange, string Symbol, int PriceScale, int QuantityScale, int SampleDepth, IReadOnlyList<string> Segments, long FirstNs, long LastNs)
{
    /// <summary>True when the book is from L2 samples (top N), not from deltas.</summary>
    public bool FromSamples => SampleDepth > 0;

    /// <summary>The schema the book is replayed from.</summary>
    public SchemaKind BookSchema => FromSamples ? SchemaKind.L2 : SchemaKind.Deltas;

    /// <summary>
    /// The book of the one symbol <paramref name="selection"/> names (its exchange too, when given). Throws
    /// <see cref="BookSourceException"/> when there is neither deltas nor L2 samples of it, or it is recorded on
    /// several exchanges and none is given.
    /// </summary>
    public static BookSource Find(ReplaySelection selection)
    {
        string symbol = selection.Symbols is { Count: 1 } s ? s[0] : throw new ArgumentException("a book is found for one symbol");
        List<string> segments;
        int sampleDepth = 0;
        using (var probe = new ReplayReader(selection with { Schemas = new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.L2 } }))
        {
            segments = probe.SegmentPaths.Where(p => SchemaOf(p) == "deltas").ToList();
            if (segments.Count == 0)
            {
                segments = probe.SegmentPaths.Where(p => SchemaOf(p) == "l2").ToList();
                if (segments.Count == 0)
                    throw new BookSourceException($"{selection.Root}: no deltas or L2 samples of {symbol}{(selection.Exchanges is { Count: > 0 } x ? " on " + string.Join(",", x) : "")} in the period: there is no book to work on", ambiguous: false);
                using var l2 = SegmentReader.Open(segments[0]);
                sampleDepth = l2.Schema.Depth;
            }
        }
        var exchanges = segments.Select(p => Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(p))))!).Distinct().ToList();
        if (exchanges.Count > 1) throw new BookSourceException($"{symbol} is recorded on {string.Join(", ", exchanges)}: give the exchange", ambiguous: true);
        string exchange, stored;
        int ps, qs;
        using (var first = SegmentReader.Open(segments[0]))
            (exchange, stored, ps, qs) = (first.Header.Exchange, first.Header.Symbol, first.Schema.PriceScale, first.Schema.QuantityScale);
        // Replayed at the largest scales among the instrument's segments (a recording continues at other scales where
        // a value needed them): money is counted at those.
        using (var all = new ReplayReader(selection with { Exchanges = [exchange], Schemas = new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.L2, SchemaKind.Trades } }))
            if (all.ScalesOf(exchange, stored) is { } largest) (ps, qs) = largest;
        long firstNs = long.MaxValue, lastNs = long.MinValue;
        foreach (var path in segments)
        {
            try
            {
                using var seg = SegmentReader.Open(path);
                foreach (var b in seg.Blocks) { firstNs = Math.Min(firstNs, b.MinExchangeTime); lastNs = Math.Max(lastNs, b.MaxExchangeTime); }
            }
            catch (StorageFormatException) { } // reported where it is read
        }
        return new BookSource(exchange, stored, ps, qs, sampleDepth, segments, firstNs, lastNs);
    }

    private static string SchemaOf(string path) => Path.GetFileName(Path.GetDirectoryName(path)) ?? "";
}
