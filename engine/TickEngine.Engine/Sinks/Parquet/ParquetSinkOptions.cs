using System.Globalization;
using System.Text.RegularExpressions;
using TickEngine.Engine.Export;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Sinks.Parquet;

/// <summary>How the Parquet sink cuts its files.</summary>
public sealed record ParquetSinkOptions
{
    /// <summary>Most rows in one file (a file is complete, and durable, when it reaches this).</summary>
    public int FileRows { get; init; } = 1_000_000;

    /// <summary>A file open this long is completed at the next flush (so a quiet stream's rows become durable too).</summary>
    public TimeSpan FileAge { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Rows per row group (the memory a file being written holds).</summary>
    public int RowGroupRows { get; init; } = 128 * 1024;

    /// <summary>The zstd level (set explicitly: the library's default is far slower here).</summary>
    public System.IO.Compression.CompressionLevel Level { get; init; } = System.IO.Compression.CompressionLevel.Fastest;

    /// <summary>The schemas taken (null: all).</summary>
    public IReadOnlySet<SchemaKind>? Schemas { get; init; }
}
