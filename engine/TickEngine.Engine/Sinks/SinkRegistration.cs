using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// A secondary sink a recording writes to besides its segments: a name (for the summary) and a factory called
/// once per schema the recording writes (on the thread that builds the pipeline), returning the sink instance for
/// that schema's handler thread, or null when the sink does not take that schema.
/// </summary>
public sealed record SinkRegistration(string Name, Func<SchemaKind, IRowSink?> Create);
