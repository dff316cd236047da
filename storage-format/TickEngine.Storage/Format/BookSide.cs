namespace TickEngine.Storage.Format;

/// <summary>The side of a book level, as stored in the deltas schema's <c>side</c> column.</summary>
public enum BookSide : byte
{
    Bid = 1,
    Ask = 2,
}
