using System.Buffers.Binary;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace TickEngine.Storage.Format;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), initial value 0xFFFFFFFF, final XOR 0xFFFFFFFF:
/// the checksum FORMAT.md names for headers, blocks and footers. Check value: "123456789" gives 0xE3069283.
/// Uses the SSE4.2 or ARMv8 CRC instructions when present, a table otherwise. Thread-safe, allocation-free.
/// </summary>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC-32C of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(0xFFFFFFFFu, data);

    /// <summary>Continues a raw (not yet finalised) CRC state; start with 0xFFFFFFFF and finish with <c>~state</c>.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        if (Sse42.X64.IsSupported)
        {
            ulong crc = state;
            while (data.Length >= 8)
            {
                crc = Sse42.X64.Crc32(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            state = (uint)crc;
            foreach (byte b in data) state = Sse42.Crc32(state, b);
            return state;
        }
        if (Crc32.Arm64.IsSupported)
        {
            while (data.Length >= 8)
            {
                state = Crc32.Arm64.ComputeCrc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }
            foreach (byte b in data) state = Crc32.ComputeCrc32C(state, b);
            return state;
        }
        foreach (byte b in data) state = Table[(state ^ b) & 0xFF] ^ (state >> 8);
        return state;
    }

    /// <summary>The table-driven path, exposed so tests can check the hardware path against it.</summary>
    internal static uint ComputeSoftware(ReadOnlySpan<byte> data)
    {
        uint state = 0xFFFFFFFFu;
        foreach (byte b in data) state = Table[(state ^ b) & 0xFF] ^ (state >> 8);
        return ~state;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >> 1) ^ Polynomial : c >> 1;
            table[i] = c;
        }
        return table;
    }
}
