using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Replay;

/// <summary>What a replay through the ring did: events published, the span of their times, and a segment that stopped it.</summary>
public sealed record ReplayOutcome(long Events, long FirstTimestamp, long LastTimestamp, StorageFormatException? Stopped);
