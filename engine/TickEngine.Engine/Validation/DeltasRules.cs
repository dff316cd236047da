using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>
/// Level changes: positive prices, no negative quantity; for Binance, whose update ids chain (U == u + 1 per book),
/// no gap outside a stored gap marker. (Futures chain through pu, not stored; Coinbase numbers a whole connection; OKX
/// chains through prevSeqId, not stored.)
/// </summary>
public sealed class DeltasRules(SeriesReport s) : SchemaRules
{
    private readonly bool _idChain = s.Exchange == "binance";
    private bool _inSnapshot;
    private long _prevLast = long.MinValue;

    public override void Check(SegmentCursor c, SeriesReport report, ValidationContext ctx, string at)
    {
        long flags = c[DeltaColumns.Flags];
        if (c[DeltaColumns.Side] != 0 && c[DeltaColumns.Price] <= 0) report.Problem("zero or negative price or quantity", $"level at {at}");
        if (c[DeltaColumns.Quantity] < 0) report.Problem("zero or negative price or quantity", $"negative quantity at {at}");
        long first = c[DeltaColumns.FirstUpdateId], last = c[DeltaColumns.LastUpdateId];
        if ((flags & (long)RowFlags.FromSnapshot) != 0)
        {
            _inSnapshot = true;
            _prevLast = last; // a snapshot restarts the chain
            return;
        }
        if (_inSnapshot) { _inSnapshot = false; _prevLast = long.MinValue; } // the first diff brackets the snapshot
        if (_idChain && _prevLast != long.MinValue && first > _prevLast + 1 && last != _prevLast)
            report.Problem("update id gap", $"{first} after {_prevLast} at {at}");
        if (last != _prevLast || _prevLast == long.MinValue) _prevLast = Math.Max(_prevLast, last);
    }
}
