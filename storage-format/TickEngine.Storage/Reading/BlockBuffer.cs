namespace TickEngine.Storage.Reading;

/// <summary>
/// The decoded columns of one block, reused from block to block so that reading allocates nothing per row.
/// Owned by one thread.
/// </summary>
public sealed class BlockBuffer
{
    private readonly long[] _values;

    public BlockBuffer(int columns, int capacity)
    {
        Columns = columns;
        Capacity = capacity;
        _values = new long[columns * capacity];
    }

    public int Columns { get; }
    public int Capacity { get; }
    /// <summary>Rows decoded into the buffer.</summary>
    public int Rows { get; internal set; }
    /// <summary>Row number (within the segment) of row 0 of the buffer.</summary>
    public long FirstRow { get; internal set; }
    /// <summary>Index of the block decoded, or -1.</summary>
    public int BlockIndex { get; internal set; } = -1;

    /// <summary>The decoded values of column <paramref name="column"/>.</summary>
    public ReadOnlySpan<long> Column(int column) => new(_values, column * Capacity, Rows);

    /// <summary>One value.</summary>
    public long this[int column, int row] => _values[column * Capacity + row];

    internal Span<long> Target(int column) => new(_values, column * Capacity, Capacity);
}
