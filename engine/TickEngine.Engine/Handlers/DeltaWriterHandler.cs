using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Handlers;

/// <summary>
/// Writes every published level change (snapshots included, with their flags) to the deltas schema, so that
/// replay can rebuild the full book at any instant. Its own thread; allocation-free per event.
/// </summary>
public sealed class DeltaWriterHandler(SegmentSink sink) : IValueEventHandler<MarketEvent>
{
    public SegmentSink Sink => sink;

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        sink.Observe(e.ReceiveTime);
        if (e.Kind == EventKind.BookDelta)
        {
            var row = sink.Row;
            row[DeltaColumns.ExchangeTime] = e.ExchangeTime;
            row[DeltaColumns.ReceiveTime] = e.ReceiveTime;
            row[DeltaColumns.FirstUpdateId] = e.Id;
            row[DeltaColumns.LastUpdateId] = e.Id2;
            row[DeltaColumns.Side] = e.Side;
            row[DeltaColumns.Price] = e.Price;
            row[DeltaColumns.Quantity] = e.Quantity;
            row[DeltaColumns.Flags] = e.Flags;
            sink.Append(e.InstrumentId);
            if (sink.Probe is not null) sink.ReportHandled(sequence, e);
        }
    }

    public void OnTimeout(long sequence) => sink.OnIdle();

    public void OnShutdown() => sink.Dispose();
}
