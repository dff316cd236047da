namespace TickEngine.Engine.Sinks;

/// <summary>Where a sink's runner is.</summary>
public enum SinkState
{
    /// <summary>Not started, or opening the sink.</summary>
    Opening,

    /// <summary>Giving the sink the rows it is behind by, read from the segments.</summary>
    CatchingUp,

    /// <summary>Taking batches as they are committed.</summary>
    Live,

    /// <summary>The sink failed: waiting before trying again.</summary>
    Retrying,

    /// <summary>The run ended and the sink holds every row given to it.</summary>
    Done,

    /// <summary>The sink failed under <see cref="FailurePolicy.Stop"/>: the run was stopped.</summary>
    Stopped,

    /// <summary>The run ended before the sink caught up (Ctrl+C, SIGTERM, or a sink that did not answer): the next run catches up.</summary>
    Abandoned,
}
