namespace TickEngine.Engine.Ring;

/// <summary>
/// A consumer of struct events, shaped as Disruptor-net's <c>IValueEventHandler&lt;T&gt;</c>. Each handler runs on its
/// own thread and sees every event in sequence order. <c>OnEvent</c> must not block for long: the producer waits
/// when the slowest handler is a full ring behind.
/// </summary>
public interface IValueEventHandler<T> where T : struct
{
    /// <summary>One event; <paramref name="endOfBatch"/> is true on the last event currently available.</summary>
    void OnEvent(ref T data, long sequence, bool endOfBatch);

    /// <summary>On the handler's thread before the first event.</summary>
    void OnStart() { }

    /// <summary>On the handler's thread after the last event (flush and close here).</summary>
    void OnShutdown() { }

    /// <summary>When no event arrived for the processor's timeout (time-based work such as a periodic flush).</summary>
    void OnTimeout(long sequence) { }
}
