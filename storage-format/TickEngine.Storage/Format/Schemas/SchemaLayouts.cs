namespace TickEngine.Storage.Format;

/// <summary>Every schema's layout, by number and by name. A schema registers with one line here.</summary>
public static class SchemaLayouts
{
    public static IReadOnlyList<SchemaLayout> All { get; } =
    [
        new TradesLayout(),
        new L2Layout(),
        new BarsLayout(),
        new DeltasLayout(),
        new StatusLayout(),
        new QuotesLayout(),
        new FundingLayout(),
    ];

    private static readonly SchemaLayout?[] ByKind = Index();

    private static SchemaLayout?[] Index()
    {
        var a = new SchemaLayout?[All.Max(l => (int)l.Kind) + 1];
        foreach (var l in All) a[(int)l.Kind] = l;
        return a;
    }

    /// <summary>The layout of <paramref name="kind"/>, or null for a number no schema has.</summary>
    public static SchemaLayout? Of(SchemaKind kind) => (int)kind < ByKind.Length ? ByKind[(int)kind] : null;

    /// <summary>The layout named <paramref name="name"/> (or one of its aliases), any case; null when none.</summary>
    public static SchemaLayout? Find(string name)
    {
        string n = name.Trim().ToLowerInvariant();
        foreach (var l in All)
            if (l.Name == n || l.Aliases.Contains(n)) return l;
        return null;
    }

    /// <summary>The schemas' names, for messages: "trades, l2, bars, deltas, status, quotes, funding".</summary>
    public static string Names => string.Join(", ", All.Select(l => l.Name));
}
