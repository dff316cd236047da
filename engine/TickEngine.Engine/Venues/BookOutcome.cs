using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>What became of one book message.</summary>
public enum BookOutcome : byte
{
    /// <summary>Applied to the book, which is in sync after it.</summary>
    Applied,
    /// <summary>A snapshot: it replaced the book.</summary>
    Replaced,
    /// <summary>Already in the book, or with no book under it: dropped, counted.</summary>
    Stale,
    /// <summary>Kept until the book's snapshot arrives (venues whose snapshots are asked for apart).</summary>
    Buffered,
    /// <summary>Something before it is missing: a gap marker, the book out of sync until a fresh snapshot.</summary>
    Gap,
    /// <summary>Applied, but the book crossed: an invalid-book marker, out of sync until a fresh snapshot.</summary>
    Invalid,
}
