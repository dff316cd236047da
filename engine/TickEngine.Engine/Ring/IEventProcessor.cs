namespace TickEngine.Engine.Ring;

/// <summary>A consumer loop with its own sequence.</summary>
public interface IEventProcessor
{
    Sequence Sequence { get; }
    string Name { get; }
    /// <summary>The exception that stopped the handler, if any.</summary>
    Exception? Fault { get; }
    void Run();
    void Halt();
}
