namespace TickEngine.Storage.Writing;

/// <summary>Options of a <see cref="SegmentWriter"/>.</summary>
public sealed record SegmentWriterOptions
{
    /// <summary>Rows per block when the writer is not flushed earlier.</summary>
    public int BlockRows { get; init; } = Format.SegmentHeader.DefaultBlockRows;

    /// <summary>When true every commit also msyncs the mapped pages (survives power loss, not only a process crash).</summary>
    public bool Durable { get; init; }

    /// <summary>
    /// When a <see cref="PartitionedWriter"/> seals a day whose blocks are short (frequent commits), rewrite it in
    /// full blocks (<see cref="SegmentCompactor"/>).
    /// </summary>
    public bool CompactOnSeal { get; init; } = true;

    /// <summary>Bytes the file is first sized to; it grows by doubling.</summary>
    public long InitialCapacity { get; init; } = 1 << 20;
}
