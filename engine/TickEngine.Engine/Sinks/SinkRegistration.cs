namespace TickEngine.Engine.Sinks;

/// <summary>A sink a recording writes to besides its segments, with how its runner treats it.</summary>
public sealed record SinkRegistration(ISink Sink, SinkOptions Options)
{
    public SinkRegistration(ISink sink) : this(sink, new SinkOptions()) { }
}
