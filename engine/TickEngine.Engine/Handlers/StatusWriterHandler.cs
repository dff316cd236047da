using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Handlers;

/// <summary>Writes session and gap markers to the status schema, so readers know when a book was not trustworthy.</summary>
public sealed class StatusWriterHandler(SegmentSink sink) : IValueEventHandler<MarketEvent>
{
    public SegmentSink Sink => sink;

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        sink.Observe(e.ReceiveTime);
        if (e.Kind == EventKind.Status)
        {
            var row = sink.Row;
            row[StatusColumns.ExchangeTime] = e.ExchangeTime;
            row[StatusColumns.ReceiveTime] = e.ReceiveTime;
            row[StatusColumns.Kind] = e.Side;
            row[StatusColumns.A] = e.Id;
            row[StatusColumns.B] = e.Id2;
            row[StatusColumns.Flags] = 0;
            sink.Append(e.InstrumentId);
            sink.Flush(); // markers are rare and matter: commit at once
        }
    }

    public void OnTimeout(long sequence) => sink.OnIdle();

    public void OnShutdown() => sink.Dispose();
}
