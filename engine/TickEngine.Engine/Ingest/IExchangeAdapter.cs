namespace TickEngine.Engine.Ingest;

/// <summary>
/// The boundary every exchange plugs into: raw frames and REST bodies in, normalised events published onto the
/// ring. Called on the producer thread only; allocation-free per frame in steady state.
/// </summary>
public interface IExchangeAdapter
{
    /// <summary>The exchange name used in paths and summaries ("binance", "binance-futures", ...).</summary>
    string Exchange { get; }

    IngestCounters Counters { get; }

    /// <summary>One WebSocket text frame received at <paramref name="receiveNs"/>.</summary>
    void OnFrame(ReadOnlySpan<byte> frame, long receiveNs);

    /// <summary>
    /// A REST body (a depth snapshot) received at <paramref name="receiveNs"/>; <paramref name="url"/> (when known)
    /// names the request, and with it the symbol.
    /// </summary>
    void OnRest(ReadOnlySpan<byte> body, long receiveNs, string? url);

    /// <summary>
    /// Publishes a session marker (connect, disconnect, ...) for every instrument of the adapter. A disconnect of a
    /// connection that carried book diffs (<paramref name="books"/>) also puts the books out of sync.
    /// </summary>
    void OnSession(Storage.Format.StatusKind kind, long receiveNs, bool books = true);
}
