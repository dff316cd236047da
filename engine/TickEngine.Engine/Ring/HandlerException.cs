namespace TickEngine.Engine.Ring;

/// <summary>A handler of an <see cref="AggregateEventHandler{T}"/> failed: its name and what it threw.</summary>
public sealed class HandlerException(string handler, Exception inner) : Exception(inner.Message, inner)
{
    public string Handler { get; } = handler;
}
