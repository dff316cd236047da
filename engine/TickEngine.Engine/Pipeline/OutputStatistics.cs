using TickEngine.Storage.Format;

namespace TickEngine.Engine.Pipeline;

/// <summary>One schema's output in a run: rows and bytes committed to segments.</summary>
public sealed record OutputStatistics(SchemaKind Schema, long RowsCommitted, long Bytes);
