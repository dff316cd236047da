using Parquet;
using Parquet.Schema;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Export;

/// <summary>How a Parquet file is written.</summary>
public sealed record ParquetRowsOptions
{
    /// <summary>Rows per row group (readers read a row group at a time: a million rows is a few megabytes a column).</summary>
    public int RowGroupRows { get; init; } = 1 << 20;

    /// <summary>The codec (zstd by default).</summary>
    public CompressionMethod Compression { get; init; } = CompressionMethod.Zstd;

    /// <summary>
    /// The codec's level, always set: Parquet.Net's default zstd level compressed 0.05 M rows/s on these machines,
    /// <see cref="System.IO.Compression.CompressionLevel.Fastest"/> several million.
    /// </summary>
    public System.IO.Compression.CompressionLevel Level { get; init; } = System.IO.Compression.CompressionLevel.Fastest;
}
