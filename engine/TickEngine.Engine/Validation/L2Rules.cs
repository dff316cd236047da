using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>L2 samples: positive prices and quantities at every level, and no crossed book.</summary>
public sealed class L2Rules(SegmentReader r) : SchemaRules
{
    private readonly int _depth = r.Schema.Depth;

    public override bool ChecksSkew => false; // a sample's exchange time is the sampling instant

    public override void Check(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at)
    {
        long bids = c[L2Columns.BidCount], asks = c[L2Columns.AskCount];
        for (int i = 0; i < bids; i++) if (c[L2Columns.BidPrice(i)] <= 0 || c[L2Columns.BidPrice(i) + 1] <= 0) { s.Problem("zero or negative price or quantity", $"bid level {i + 1} at {at}"); break; }
        for (int i = 0; i < asks; i++) if (c[L2Columns.AskPrice(_depth, i)] <= 0 || c[L2Columns.AskPrice(_depth, i) + 1] <= 0) { s.Problem("zero or negative price or quantity", $"ask level {i + 1} at {at}"); break; }
        if (bids > 0 && asks > 0 && c[L2Columns.BidPrice(0)] >= c[L2Columns.AskPrice(_depth, 0)]) s.Problem("crossed book", $"bid {c[L2Columns.BidPrice(0)]} >= ask {c[L2Columns.AskPrice(_depth, 0)]} at {at}");
    }
}
