namespace TickEngine.Engine.Events;

/// <summary>What a <see cref="MarketEvent"/> holds.</summary>
public enum EventKind : byte
{
    /// <summary>A slot claimed for a frame that turned out malformed: handlers skip it.</summary>
    Void = 0,
    Trade = 1,
    /// <summary>One level change of a book (new absolute quantity; 0 removes the level).</summary>
    BookDelta = 2,
    /// <summary>Best bid and ask as the exchange reported them (a quote: the quotes schema's rows).</summary>
    BookTicker = 3,
    /// <summary>A session or gap marker (<see cref="Storage.Format.StatusKind"/> in <see cref="MarketEvent.Side"/>).</summary>
    Status = 4,
    /// <summary>
    /// Part of a stored row that has no event of its own (an L2 sample, a bar), for replay: a row is published as
    /// consecutive parts (<see cref="MarketEvent"/> says how), which a handler joins with <see cref="RowAssembler"/>.
    /// </summary>
    RowPart = 5,
    /// <summary>A perpetual's funding: rate, next funding time, mark and index price (<see cref="MarketEvent"/> names them).</summary>
    Funding = 6,
}
