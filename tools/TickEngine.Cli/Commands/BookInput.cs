using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Replay;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.Commands;

/// <summary>
/// Where a research verb's book comes from (slippage, analyze): the instrument's deltas, or L2 samples when none were
/// recorded (the selection's deltas swapped for them, its other schemas kept), on its one exchange; a period the book
/// does not reach is refused by name.
/// </summary>
internal static class BookInput
{
    public static (BookSource Book, ReplaySelection Selection) Find(ReplaySelection selection, long from)
    {
        var book = BookSource.Find(selection);
        if (book.FromSamples)
        {
            var schemas = new HashSet<SchemaKind>(selection.Schemas!) { SchemaKind.L2 };
            schemas.Remove(SchemaKind.Deltas);
            selection = selection with { Schemas = schemas };
        }
        selection = selection with { Exchanges = [book.Exchange] };
        if (book.FirstNs != long.MaxValue && (from > book.LastNs || selection.EndNs <= book.FirstNs))
            throw new InputException($"no data of {book.Symbol} between {(from == long.MinValue ? "its start" : TimeText.FormatIso(from))} and {(selection.EndNs == long.MaxValue ? "its end" : TimeText.FormatIso(selection.EndNs))}: its book covers {TimeText.FormatIso(book.FirstNs)} .. {TimeText.FormatIso(book.LastNs)}");
        return (book, selection);
    }
}
