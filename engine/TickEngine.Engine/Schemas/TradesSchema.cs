using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Schemas;

/// <summary>trades: one row per <see cref="EventKind.Trade"/>.</summary>
public sealed class TradesSchema : SchemaDefinition
{
    public override SchemaKind Kind => SchemaKind.Trades;
    public override int ReplayPriority => 2;
    public override EventKind? RowEvent => EventKind.Trade;
    public override bool UsesTextTradeIds => true;

    public override void ToRow(in MarketEvent e, Span<long> row)
    {
        row[TradeColumns.ExchangeTime] = e.ExchangeTime;
        row[TradeColumns.ReceiveTime] = e.ReceiveTime;
        row[TradeColumns.TradeId] = e.Id;
        row[TradeColumns.Price] = e.Price;
        row[TradeColumns.Quantity] = e.Quantity;
        row[TradeColumns.Side] = e.Side;
        row[TradeColumns.Flags] = e.Flags;
        if (row.Length > TradeColumns.TradeIdLo) row[TradeColumns.TradeIdLo] = e.Id2; // written only for text trade ids (1.1)
    }

    public override void ToEvent(SegmentCursor c, ref MarketEvent e)
    {
        e.Kind = EventKind.Trade;
        e.Id = c[TradeColumns.TradeId];
        e.Price = c[TradeColumns.Price];
        e.Quantity = c[TradeColumns.Quantity];
        e.Side = (byte)c[TradeColumns.Side];
        e.Flags = c[TradeColumns.Flags];
        if (c.Reader.Schema.TextTradeIds) e.Id2 = c[TradeColumns.TradeIdLo];
    }

    public override Validation.SchemaRules CreateRules(SegmentReader segment, Validation.SeriesReport series, Validation.ValidationContext context)
        => new Validation.TradesRules(segment, series, context);
}
