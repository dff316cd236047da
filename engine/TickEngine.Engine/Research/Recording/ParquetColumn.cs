namespace TickEngine.Engine.Research.Recording;

/// <summary>How a research table's column is written: an INT64, an exact DECIMAL(18, scale), a DOUBLE (ratios) or a string.</summary>
public enum ParquetColumnType : byte { Int64, Decimal, Double, Text } // every column may hold nulls (a value that does not apply to the row)

/// <summary>One column of a research table: its name, type, scale (decimals) and meaning.</summary>
public sealed record ParquetColumn(string Name, ParquetColumnType Type, string Meaning, int Scale = 0);
