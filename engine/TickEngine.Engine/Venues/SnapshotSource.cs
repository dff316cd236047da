namespace TickEngine.Engine.Venues;

/// <summary>Where a venue's book snapshots come from.</summary>
public enum SnapshotSource : byte
{
    /// <summary>In the stream, before the updates that follow them (Bybit, OKX, Coinbase): updates with no book under them are dropped.</summary>
    InStream,
    /// <summary>Asked for apart from the stream (Binance's REST depth): updates are buffered until one arrives, then checked against it.</summary>
    Requested,
}
