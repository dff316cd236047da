using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>
/// Status markers: connects and disconnects are kept (they explain id gaps in the other schemas); a book the recorder
/// found invalid is a problem (the data around it is not what the exchange meant); a stored gap and a scale change are
/// observations. Ordered by receive time.
/// </summary>
public sealed class StatusRules : SchemaRules
{
    public override bool OrderedByReceiveTime => true;
    public override bool ChecksSkew => false;
    public override bool ObservesGaps => false;

    public override void Check(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at)
    {
        var kind = (StatusKind)c[StatusColumns.Kind];
        if (kind is StatusKind.Disconnect or StatusKind.Connect) ctx.Sessions(s.Exchange, s.Symbol).Add(c[SegmentSchema.ReceiveTime]);
        if (kind == StatusKind.BookInvalid) s.Problem("book found invalid (stored marker)", $"at {at}: compared {c[StatusColumns.A]} with {c[StatusColumns.B]}");
        else if (kind == StatusKind.SequenceGap) s.Observe("sequence gap (stored marker)", $"at {at}: expected {c[StatusColumns.A]}, got {c[StatusColumns.B]}");
        else if (kind == StatusKind.ScaleChange) s.Observe("scale change (stored marker)", $"at {at}: price scale {c[StatusColumns.A]}, quantity scale {c[StatusColumns.B]}");
    }
}
