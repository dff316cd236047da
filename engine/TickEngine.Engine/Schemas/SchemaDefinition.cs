using TickEngine.Engine.Events;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Schemas;

/// <summary>
/// A schema's engine side, defined once beside its stored layout (<see cref="SchemaLayout"/>): where its rows come from
/// (one row per event of <see cref="RowEvent"/>, written by the generic <see cref="Handlers.EventRowWriterHandler"/>;
/// or derived by a handler of its own: L2 samples, bars), how a row is made from its event and an event from a stored
/// row (the one mapping the recorder, replay and the library share), and its place in replay's tie order.
/// <see cref="SchemaDefinitions"/> holds one per schema. Immutable; thread-safe.
/// </summary>
public abstract class SchemaDefinition
{
    /// <summary>The stored layout.</summary>
    public SchemaLayout Layout => SchemaLayouts.Of(Kind)!;

    public abstract SchemaKind Kind { get; }

    public string Name => Layout.Name;

    /// <summary>Rows at one instant replay in this order (markers first: they explain what follows).</summary>
    public abstract int ReplayPriority { get; }

    /// <summary>The event each row is (the row written from it, and published from it in replay); null for derived schemas.</summary>
    public virtual EventKind? RowEvent => null;

    /// <summary>True for schemas whose rows are one event each.</summary>
    public bool EventPerRow => RowEvent is not null;

    /// <summary>A row from its event (columns in the layout's order; the row may be longer than the schema's columns).</summary>
    public virtual void ToRow(in MarketEvent e, Span<long> row) => throw new NotSupportedException($"{Name} rows are derived, not one per event");

    /// <summary>The event of the cursor's current row (<paramref name="e"/> is cleared first).</summary>
    public virtual void ToEvent(SegmentCursor c, ref MarketEvent e) => throw new NotSupportedException($"{Name} rows are published as row parts");

    /// <summary>The decimal scale a row of this event is at (its decimal columns), or -1 for the layout's default.</summary>
    public virtual int DecimalScaleOf(in MarketEvent e) => -1;

    /// <summary>True for rows committed at once (markers: rare and they matter).</summary>
    public virtual bool CommitEachRow => false;

    /// <summary>True when an instrument's rows carry text trade ids in this schema.</summary>
    public virtual bool UsesTextTradeIds => false;

    /// <summary>The schema's validation rules for one segment's rows (<see cref="Validation.Validator"/>); by default the checks every schema shares.</summary>
    public virtual Validation.SchemaRules CreateRules(SegmentReader segment, Validation.SeriesReport series, Validation.ValidationContext context) => new Validation.CommonRules();

    /// <summary>Checks that need every segment read first (bars against their trades); by default none.</summary>
    public virtual void FinishValidation(Validation.ValidationContext context) { }
}
