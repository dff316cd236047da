namespace TickEngine.Engine.Ingest;

/// <summary>
/// State the producer keeps of an instrument in mantissas (a book, its buffered updates): when the instrument's
/// scales change (<see cref="Instrument"/>), each is asked whether it can be held exactly at the new scales, then
/// moved to them. Producer thread only.
/// </summary>
public interface IScaledState
{
    /// <summary>True when every value held can be moved from the old scales to the new exactly (no digit lost, no overflow).</summary>
    bool CanRescale(int fromPrice, int fromQuantity, int toPrice, int toQuantity);

    /// <summary>Moves every value held to the new scales (after <see cref="CanRescale"/> said it can) and publishes what
    /// readers need to follow (a book republishes itself as a snapshot at the new scales).</summary>
    void Rescale(int fromPrice, int fromQuantity, int toPrice, int toQuantity, long receiveNs);
}
