using TickEngine.Storage.Format;

namespace TickEngine.Engine.Schemas;

/// <summary>Every schema's engine definition. A schema registers with one line here (and its layout with one in <see cref="SchemaLayouts"/>).</summary>
public static class SchemaDefinitions
{
    public static IReadOnlyList<SchemaDefinition> All { get; } =
    [
        new TradesSchema(),
        new L2Schema(),
        new BarsSchema(),
        new DeltasSchema(),
        new StatusSchema(),
        new QuotesSchema(),
        new FundingSchema(),
    ];

    private static readonly SchemaDefinition?[] ByKind = Index();

    private static SchemaDefinition?[] Index()
    {
        var a = new SchemaDefinition?[All.Max(d => (int)d.Kind) + 1];
        foreach (var d in All) a[(int)d.Kind] = d;
        return a;
    }

    /// <summary>The definition of <paramref name="kind"/>.</summary>
    public static SchemaDefinition Of(SchemaKind kind) =>
        (int)kind < ByKind.Length && ByKind[(int)kind] is { } d ? d : throw new ArgumentOutOfRangeException(nameof(kind), $"no schema {(int)kind}");
}
