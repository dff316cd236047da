using TickEngine.Engine.Events;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Sinks;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Handlers;

/// <summary>Computes a trades row from every trade event and hands it to its sinks. Allocation-free per event.</summary>
public sealed class TradeWriterHandler(RowOutput output) : IValueEventHandler<MarketEvent>
{
    public RowOutput Output => output;

    public void OnEvent(ref MarketEvent e, long sequence, bool endOfBatch)
    {
        output.Observe(e);
        if (e.Kind == EventKind.Trade)
        {
            var row = output.Row;
            row[TradeColumns.ExchangeTime] = e.ExchangeTime;
            row[TradeColumns.ReceiveTime] = e.ReceiveTime;
            row[TradeColumns.TradeId] = e.Id;
            row[TradeColumns.Price] = e.Price;
            row[TradeColumns.Quantity] = e.Quantity;
            row[TradeColumns.Side] = e.Side;
            row[TradeColumns.Flags] = e.Flags;
            row[TradeColumns.TradeIdLo] = e.Id2; // written only for instruments with text trade ids (format 1.1)
            output.Append(e.InstrumentId);
            if (output.Probe is not null) output.ReportHandled(sequence, e);
        }
        if (endOfBatch) output.EndOfBatch();
    }

    public void OnTimeout(long sequence) => output.OnIdle();

    public void OnShutdown() => output.Dispose();
}
