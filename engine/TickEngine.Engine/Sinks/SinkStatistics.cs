using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks;

/// <summary>
/// What one secondary sink did for one schema. Written by that schema's handler thread; read by anyone (values
/// may be a moment old).
/// </summary>
public sealed class SinkStatistics(string name, SchemaKind schema)
{
    public string Name { get; } = name;
    public SchemaKind Schema { get; } = schema;

    /// <summary>Rows the sink took.</summary>
    public long Rows => Volatile.Read(ref _rows);

    /// <summary>Rows not given to the sink because it had failed earlier in the same batch.</summary>
    public long RowsDropped => Volatile.Read(ref _dropped);

    /// <summary>Calls that threw (Write, Flush or Dispose).</summary>
    public long Failures => Volatile.Read(ref _failures);

    /// <summary>The last exception's type and message, if any.</summary>
    public string? LastError { get; private set; }

    internal long _rows, _dropped, _failures;

    internal void Failed(Exception e)
    {
        Volatile.Write(ref _failures, _failures + 1);
        LastError = $"{e.GetType().Name}: {e.Message}";
    }
}
