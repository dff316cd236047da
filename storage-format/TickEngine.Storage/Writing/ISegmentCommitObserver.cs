namespace TickEngine.Storage.Writing;

/// <summary>
/// Told each time a segment writer commits rows (a block is written and its length word published): from then on a
/// killed process loses those rows not. Called on the writer's thread, right after the commit; it must not call back
/// into the writer.
/// </summary>
public interface ISegmentCommitObserver
{
    /// <summary>
    /// Rows <paramref name="firstRow"/> to <paramref name="firstRow"/> + <paramref name="rows"/> - 1 of the segment at
    /// <paramref name="path"/> (row numbers count from the segment's first row, over every writer that appended to it)
    /// are committed.
    /// </summary>
    void Committed(string path, long firstRow, int rows);
}
