using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Schemas;
using TickEngine.Engine.Sinks;

namespace TickEngine.Engine.Handlers;

/// <summary>
/// Writes one row per event of its schema's <see cref="SchemaDefinition.RowEvent"/> (trades, level changes, markers,
/// quotes, funding), the row made by the schema's own mapping (<see cref="SchemaDefinition.ToRow"/>), and hands it to
/// every sink of the schema. One handler type for every schema whose rows are events. Its own thread (or the shared
/// consumer); allocation-free per event.
/// </summary>
public sealed class EventRowWriterHandler(RowOutput output, SchemaDefinition schema) : IValueEventHandler<MarketEvent>
{
    private readonly Events.EventKind _kind = schema.RowEvent ?? throw new ArgumentException($"{schema.Name} rows are not one per event", nameof(schema));

    public RowOutput Output => output;
    public SchemaDefinition Schema => schema;

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        output.Observe(e);
        if (e.Kind == _kind)
        {
            schema.ToRow(e, output.Row);
            output.Append(e.InstrumentId, schema.DecimalScaleOf(e));
            if (schema.CommitEachRow) output.Flush();
            else if (output.Probe is not null) output.ReportHandled(sequence, e);
        }
    }

    public void OnTimeout(long sequence) => output.OnIdle();

    public void OnShutdown() => output.Dispose();
}
