namespace TickEngine.Engine.Sinks;

/// <summary>
/// What a sink holds durably of one segment of a stream: its rows before <see cref="End"/> (a row number in the
/// segment named by <see cref="End"/>'s day and part). Rows are appended to a segment in order, so this one number
/// says all: a stream whose rows cross midnight out of order goes back and forth between two segments, and each has
/// its own end.
/// </summary>
public readonly record struct SinkDurable(StreamKey Stream, SinkPosition End)
{
    public SegmentId Segment => SegmentId.Of(Stream, End);
}
