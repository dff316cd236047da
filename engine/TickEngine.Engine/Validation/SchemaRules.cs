using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>
/// A schema's validation rules for one segment's rows, made by its <see cref="Schemas.SchemaDefinition.CreateRules"/>:
/// <see cref="Validator"/> checks what every schema shares (times in order, quiet spells, exchange time against
/// receive time) and hands each row to its schema's rules. One segment; one thread.
/// </summary>
public abstract class SchemaRules
{
    /// <summary>Rows of this schema are ordered by receive time (markers: the recorder's own, in receive order), not exchange time.</summary>
    public virtual bool OrderedByReceiveTime => false;

    /// <summary>Rows whose exchange time is checked against their receive time (not derived rows: L2 samples, bars, markers).</summary>
    public virtual bool ChecksSkew => true;

    /// <summary>Rows whose times are checked for order and quiet spells (not bars, whose rows close at their own times).</summary>
    public virtual bool ChecksOrder => true;

    /// <summary>Quiet spells are observed (not for markers).</summary>
    public virtual bool ObservesGaps => true;

    /// <summary>
    /// A row outside the run of live rows (history sent at subscription): only its values are checked
    /// (<see cref="CheckValues"/>), not its order or skew.
    /// </summary>
    public virtual bool IsHistory(SegmentCursor c) => false;

    /// <summary>Checks the cursor's row; <paramref name="at"/> is its exchange time as text, for examples.</summary>
    public abstract void Check(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at);

    /// <summary>A history row's values.</summary>
    public virtual void CheckValues(SegmentCursor c, SeriesReport s, ValidationContext ctx, string at) { }
}
