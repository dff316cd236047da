namespace TickEngine.Storage.Format;

/// <summary>One column of a schema: its name (at most 16 ASCII bytes), kind and decimal scale.</summary>
public readonly record struct ColumnSpec(string Name, ColumnKind Kind, byte Scale);
