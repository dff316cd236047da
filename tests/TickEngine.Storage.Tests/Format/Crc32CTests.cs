using System.Text;
using TickEngine.Storage.Format;
using Xunit;

namespace TickEngine.Storage.Tests.Format;

public class Crc32CTests
{
    [Fact]
    public void CheckValueOfTheStandardString()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    /// <summary>FORMAT.md's definition, bit by bit: reflected 0x82F63B78, initial and final XOR 0xFFFFFFFF.</summary>
    private static uint Reference(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        return ~crc;
    }

    [Fact]
    public void MatchesTheFormatsDefinitionOnEveryLengthAndOnBlockSizes()
    {
        var rng = new Random(7);
        foreach (int len in Enumerable.Range(0, 300).Concat([1023, 1024, 4095, 4096, 16_384, 65_537]))
        {
            var data = new byte[len];
            rng.NextBytes(data);
            Assert.Equal(Reference(data), Crc32C.Compute(data));
        }
    }

    [Fact]
    public void KnownVectorOf32Zeros()
    {
        // RFC 3720, B.4: 32 bytes of zeros give 0x8A9136AA.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
    }
}
