using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// Batches for reuse: rented by a handler thread (or a runner reading the segments), returned by the last runner
/// done with them. In steady state no batch is allocated. Thread-safe.
/// </summary>
internal sealed class RowBatchPool
{
    private readonly Stack<RowBatch> _free = new();
    private readonly object _gate = new();

    /// <summary>Batches allocated so far.</summary>
    public int Created { get; private set; }

    public RowBatch Rent(StreamKey stream, SegmentSchema schema, int capacity)
    {
        RowBatch? b = null;
        lock (_gate)
        {
            if (_free.Count > 0) b = _free.Pop();
            else Created++;
        }
        b ??= new RowBatch(this);
        b.Prepare(stream, schema, capacity);
        b.Retain(1);
        return b;
    }

    public void Return(RowBatch batch)
    {
        lock (_gate) _free.Push(batch);
    }
}
