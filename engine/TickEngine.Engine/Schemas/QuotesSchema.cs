using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Schemas;

/// <summary>quotes: one row per best bid/ask the exchange states (<see cref="EventKind.BookTicker"/>), opt-in per recording.</summary>
public sealed class QuotesSchema : SchemaDefinition
{
    public override SchemaKind Kind => SchemaKind.Quotes;
    public override int ReplayPriority => 2;
    public override EventKind? RowEvent => EventKind.BookTicker;

    public override void ToRow(in MarketEvent e, Span<long> row)
    {
        row[QuoteColumns.ExchangeTime] = e.ExchangeTime;
        row[QuoteColumns.ReceiveTime] = e.ReceiveTime;
        row[QuoteColumns.UpdateId] = e.Id;
        row[QuoteColumns.BidPrice] = e.BidPrice;
        row[QuoteColumns.BidQty] = e.BidQuantity;
        row[QuoteColumns.AskPrice] = e.AskPrice;
        row[QuoteColumns.AskQty] = e.AskQuantity;
        row[QuoteColumns.Flags] = e.QuoteFlags;
    }

    public override void ToEvent(SegmentCursor c, ref MarketEvent e)
    {
        e.Kind = EventKind.BookTicker;
        e.Id = c[QuoteColumns.UpdateId];
        e.BidPrice = c[QuoteColumns.BidPrice];
        e.BidQuantity = c[QuoteColumns.BidQty];
        e.AskPrice = c[QuoteColumns.AskPrice];
        e.AskQuantity = c[QuoteColumns.AskQty];
        e.QuoteFlags = c[QuoteColumns.Flags];
    }

    public override Validation.SchemaRules CreateRules(SegmentReader segment, Validation.SeriesReport series, Validation.ValidationContext context)
        => new Validation.QuotesRules();
}
