namespace TickEngine.Engine.Events;

/// <summary>What a <see cref="MarketEvent"/> holds.</summary>
public enum EventKind : byte
{
    /// <summary>A slot claimed for a frame that turned out malformed: handlers skip it.</summary>
    Void = 0,
    Trade = 1,
    /// <summary>One level change of a book (new absolute quantity; 0 removes the level).</summary>
    BookDelta = 2,
    /// <summary>Best bid and ask as the exchange reported them.</summary>
    BookTicker = 3,
    /// <summary>A session or gap marker (<see cref="Storage.Format.StatusKind"/> in <see cref="MarketEvent.Side"/>).</summary>
    Status = 4,
}
