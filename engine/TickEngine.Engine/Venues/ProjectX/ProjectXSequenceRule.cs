namespace TickEngine.Engine.Venues.ProjectX;

/// <summary>
/// ProjectX's DOM carries no sequence numbers: a message whose entries start with a reset is a whole book (it replaces
/// the book and syncs it); any other applies to a book in sync. The ids the lifecycle sees are the adapter's own count
/// of the book's messages. A lost change cannot be seen from the stream: the quote check and a crossed book find it.
/// </summary>
public sealed class ProjectXSequenceRule : ISequenceRule
{
    public static readonly ProjectXSequenceRule Instance = new();

    public SequenceVerdict Check(long bookId, in SequenceFields m, bool firstAfterSnapshot) =>
        m.Snapshot ? SequenceVerdict.Replace : bookId < 0 ? SequenceVerdict.Gap : SequenceVerdict.Apply;
}
