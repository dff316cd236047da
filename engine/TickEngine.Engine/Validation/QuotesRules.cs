using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>Quotes: no negative price or size, and no crossed quote.</summary>
public sealed class QuotesRules : SchemaRules
{
    public override void Check(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at)
    {
        long bid = c[QuoteColumns.BidPrice], ask = c[QuoteColumns.AskPrice];
        if (bid < 0 || ask < 0 || c[QuoteColumns.BidQty] < 0 || c[QuoteColumns.AskQty] < 0) s.Problem("zero or negative price or quantity", $"quote at {at}");
        if (bid > 0 && ask > 0 && bid >= ask) s.Problem("crossed quote", $"bid {bid} >= ask {ask} at {at}");
    }
}
