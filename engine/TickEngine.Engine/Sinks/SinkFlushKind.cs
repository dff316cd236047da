namespace TickEngine.Engine.Sinks;

/// <summary>Why a sink is asked to flush.</summary>
public enum SinkFlushKind
{
    /// <summary>The batches waiting were all given: make durable what the sink's own thresholds say is due.</summary>
    Batch,

    /// <summary>Nothing came for a while (about a second): a chance to make old rows durable on a quiet stream.</summary>
    Idle,

    /// <summary>The run ends: make everything given durable.</summary>
    Final,
}
