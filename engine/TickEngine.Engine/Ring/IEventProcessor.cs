namespace TickEngine.Engine.Ring;

/// <summary>A consumer loop with its own sequence.</summary>
public interface IEventProcessor
{
    Sequence Sequence { get; }
    string Name { get; }
    /// <summary>The exception that stopped the handler, if any.</summary>
    Exception? Fault { get; }
    /// <summary>
    /// Bytes allocated on the processor's thread since it started (handler work and waiting), counted per batch
    /// (batches a garbage collection interrupted excepted: the runtime's per-thread count is not exact across one):
    /// a steady-state delta of 0 shows the handler allocation-free while it runs for real.
    /// </summary>
    long AllocatedBytes { get; }
    void Run();
    void Halt();
}
