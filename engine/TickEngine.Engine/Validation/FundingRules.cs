using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>Funding: no negative mark or index price, and a next funding time not long past.</summary>
public sealed class FundingRules : SchemaRules
{
    public override void Check(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at)
    {
        long t = c[SegmentSchema.ExchangeTime];
        if (c[FundingColumns.MarkPrice] < 0 || c[FundingColumns.IndexPrice] < 0) s.Problem("zero or negative price or quantity", $"funding at {at}");
        if (c[FundingColumns.NextFunding] != 0 && c[FundingColumns.NextFunding] < t - 86_400_000_000_000L)
            s.Problem("next funding long past", $"next funding {IsoNs.Format(c[FundingColumns.NextFunding])} at {at}");
    }
}
