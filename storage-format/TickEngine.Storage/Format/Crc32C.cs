using System.IO.Hashing;

namespace TickEngine.Storage.Format;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF:
/// the checksum FORMAT.md names for headers, blocks and footers. Check value: "123456789" gives 0xE3069283.
/// Computed by System.IO.Hashing (vectorised folding; faster than a CRC-instruction loop from 1 KB up, the size
/// of our blocks: perf/results/format.md). Thread-safe, allocation-free.
/// </summary>
public static class Crc32C
{
    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Crc32.HashToUInt32(Crc32ParameterSet.Crc32C, data);
}
