namespace TickEngine.Engine.Sinks;

/// <summary>Where a sink starts on a stream it holds nothing of.</summary>
public enum SinkStart
{
    /// <summary>At the first row a recording with the sink writes (the default); the attachment is remembered in the data root.</summary>
    Run,

    /// <summary>At the stream's first row: every stream of the data root is given from its beginning (a backfill).</summary>
    Beginning,
}
