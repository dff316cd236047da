namespace TickEngine.Engine.Venues;

/// <summary>What a venue's sequence rule says about one book message, given the id the book was last brought to.</summary>
public enum SequenceVerdict : byte
{
    /// <summary>The message follows the book: apply it.</summary>
    Apply,
    /// <summary>The book already holds it (a repeat or an older message): drop it, counted.</summary>
    Stale,
    /// <summary>Something between the book and this message is missing: a gap marker, and the book waits for a snapshot.</summary>
    Gap,
    /// <summary>A snapshot in the stream: it replaces the book.</summary>
    Replace,
}
