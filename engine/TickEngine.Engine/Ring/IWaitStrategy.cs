namespace TickEngine.Engine.Ring;

/// <summary>
/// How a consumer waits for a sequence to be published. <see cref="WaitFor"/> returns the highest available
/// sequence (at least the one asked for), or a lower value when the timeout passed first or the barrier was alerted.
/// </summary>
public interface IWaitStrategy
{
    long WaitFor(long sequence, Sequence cursor, Sequence[] dependents, SequenceBarrier barrier, TimeSpan timeout);

    /// <summary>Called by the producer after publishing.</summary>
    void SignalAllWhenBlocking();

    /// <summary>True when producers must call <see cref="SignalAllWhenBlocking"/> (a blocking strategy).</summary>
    bool IsBlocking { get; }
}
