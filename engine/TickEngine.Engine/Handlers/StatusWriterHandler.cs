using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Sinks;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Handlers;

/// <summary>Computes a status row from every session and gap marker, so readers know when a book was not trustworthy.</summary>
public sealed class StatusWriterHandler(RowOutput output) : IValueEventHandler<MarketEvent>
{
    public RowOutput Output => output;

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        output.Observe(e);
        if (e.Kind == EventKind.Status)
        {
            var row = output.Row;
            row[StatusColumns.ExchangeTime] = e.ExchangeTime;
            row[StatusColumns.ReceiveTime] = e.ReceiveTime;
            row[StatusColumns.Kind] = e.Side;
            row[StatusColumns.A] = e.Id;
            row[StatusColumns.B] = e.Id2;
            row[StatusColumns.Flags] = 0;
            output.Append(e.InstrumentId);
            output.Flush(); // markers are rare and matter: commit at once
        }
        if (endOfBatch) output.EndOfBatch();
    }

    public void OnTimeout(long sequence) => output.OnIdle();

    public void OnShutdown() => output.Dispose();
}
