using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Sinks;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Handlers;

/// <summary>
/// Computes a deltas row from every published level change (snapshots included, with their flags), so that replay
/// can rebuild the full book at any instant. Allocation-free per event.
/// </summary>
public sealed class DeltaWriterHandler(RowOutput output) : IValueEventHandler<MarketEvent>
{
    public RowOutput Output => output;

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        output.Observe(e);
        if (e.Kind == EventKind.BookDelta)
        {
            var row = output.Row;
            row[DeltaColumns.ExchangeTime] = e.ExchangeTime;
            row[DeltaColumns.ReceiveTime] = e.ReceiveTime;
            row[DeltaColumns.FirstUpdateId] = e.Id;
            row[DeltaColumns.LastUpdateId] = e.Id2;
            row[DeltaColumns.Side] = e.Side;
            row[DeltaColumns.Price] = e.Price;
            row[DeltaColumns.Quantity] = e.Quantity;
            row[DeltaColumns.Flags] = e.Flags;
            output.Append(e.InstrumentId);
            if (output.Probe is not null) output.ReportHandled(sequence, e);
        }
        if (endOfBatch) output.EndOfBatch();
    }

    public void OnTimeout(long sequence) => output.OnIdle();

    public void OnShutdown() => output.Dispose();
}
