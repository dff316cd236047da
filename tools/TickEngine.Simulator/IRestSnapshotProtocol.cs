using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator;

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
