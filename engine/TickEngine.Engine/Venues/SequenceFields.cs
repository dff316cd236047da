namespace TickEngine.Engine.Venues;

/// <summary>
/// The sequence fields a book message carries, named as the venue-neutral lifecycle sees them. <see cref="Id"/> is the
/// id the book is at after the message; <see cref="Previous"/> the id the message says it follows (-1 when the venue
/// sends none); <see cref="Snapshot"/> is true for a message that holds a whole book; <see cref="First"/> the first
/// update id the message holds where it spans several (Binance's <c>U</c>), else its id.
/// </summary>
public readonly record struct SequenceFields(long Id, long Previous, bool Snapshot, long First = -1);
