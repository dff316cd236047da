using System.Buffers.Binary;

namespace TickEngine.Storage.Compression;

/// <summary>How a block's values are turned into non-negative integers before packing (FORMAT.md, "Transforms").</summary>
public enum ColumnTransform : byte
{
    /// <summary>u[i] = (v[i] - base) / divisor for every row; base is the block minimum.</summary>
    FrameOfReference = 0,
    /// <summary>u[i] = (v[i] - v[i-1] - reference) / divisor for rows 1..n-1; base = v[0]; reference = smallest delta.</summary>
    Delta = 1,
    /// <summary>u[i] = zigzag((v[i] - v[i-1]) / divisor) for rows 1..n-1; base = v[0].</summary>
    DeltaZigZag = 2,
}
