using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Handlers;

/// <summary>Writes every trade event to the trades schema. Its own thread; allocation-free per event.</summary>
public sealed class TradeWriterHandler(SegmentSink sink) : IValueEventHandler<MarketEvent>
{
    public SegmentSink Sink => sink;

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        sink.Observe(e.ReceiveTime);
        if (e.Kind == EventKind.Trade)
        {
            var row = sink.Row;
            row[TradeColumns.ExchangeTime] = e.ExchangeTime;
            row[TradeColumns.ReceiveTime] = e.ReceiveTime;
            row[TradeColumns.TradeId] = e.Id;
            row[TradeColumns.Price] = e.Price;
            row[TradeColumns.Quantity] = e.Quantity;
            row[TradeColumns.Side] = e.Side;
            row[TradeColumns.Flags] = e.Flags;
            sink.Append(e.InstrumentId);
            if (sink.Probe is not null) sink.ReportHandled(sequence, e);
        }
    }

    public void OnTimeout(long sequence) => sink.OnIdle();

    public void OnShutdown() => sink.Dispose();
}
