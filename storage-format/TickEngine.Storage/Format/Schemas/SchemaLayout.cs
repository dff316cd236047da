namespace TickEngine.Storage.Format;

/// <summary>
/// A schema's stored definition, in one place (FORMAT.md, "Schemas"): its number in the header, its name in paths and
/// on the command line, and its columns after <c>exchange_time</c> and <c>receive_time</c>, for given options (depth,
/// scales, id form). <see cref="SchemaLayouts"/> holds one per schema; <see cref="SegmentSchema.Create"/> and the
/// header reader build and check every schema from it, so a new schema is one layout file and one registry line.
/// Immutable; thread-safe.
/// </summary>
public abstract class SchemaLayout
{
    /// <summary>The number stored in the segment header.</summary>
    public abstract SchemaKind Kind { get; }

    /// <summary>The lower-case name used in paths and on the command line ("trades").</summary>
    public abstract string Name { get; }

    /// <summary>Other names the command line accepts ("ohlcv" for bars).</summary>
    public virtual IReadOnlyList<string> Aliases => [];

    /// <summary>What a row is, for help texts.</summary>
    public abstract string Meaning { get; }

    /// <summary>True when the schema has a depth (levels per side).</summary>
    public virtual bool HasDepth => false;

    /// <summary>The scale of the schema's <see cref="ColumnKind.Decimal"/> columns when none is given; -1 when it has none.</summary>
    public virtual int DefaultDecimalScale => -1;

    /// <summary>Adds the columns after <c>exchange_time</c> and <c>receive_time</c>.</summary>
    public abstract void AddColumns(in SchemaOptions options, List<ColumnSpec> columns);

    /// <summary>The format minor version a file of this schema needs.</summary>
    public virtual ushort MinReaderMinor(in SchemaOptions options) => 0;

    /// <summary>Refuses options the schema cannot take (a depth out of range, text ids on a schema without trade ids).</summary>
    public virtual void Check(in SchemaOptions options)
    {
        if (options.TextTradeIds) throw new ArgumentOutOfRangeException(nameof(options), $"text trade ids belong to the trades schema, not {Name}");
    }
}
