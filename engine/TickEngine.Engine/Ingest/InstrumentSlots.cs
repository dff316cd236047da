namespace TickEngine.Engine.Ingest;

/// <summary>
/// Per-instrument state kept in an array indexed by instrument id (ids are dense, from
/// <see cref="InstrumentRegistry"/>). The array grows by doubling the first time an id beyond it is seen, so
/// steady-state lookups are one bounds check and never allocate.
/// </summary>
public static class InstrumentSlots
{
    /// <summary>The slot for <paramref name="id"/>, growing <paramref name="slots"/> to hold it first.</summary>
    public static ref T At<T>(ref T[] slots, int id)
    {
        if ((uint)id >= (uint)slots.Length)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(id);
            Array.Resize(ref slots, Math.Max(id + 1, slots.Length * 2));
        }
        return ref slots[id];
    }
}
