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
        Assert.Equal(0xE3069283u, Crc32C.ComputeSoftware(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void HardwarePathMatchesTheTableOnEveryLength()
    {
        var rng = new Random(7);
        for (int len = 0; len < 300; len++)
        {
            var data = new byte[len];
            rng.NextBytes(data);
            Assert.Equal(Crc32C.ComputeSoftware(data), Crc32C.Compute(data));
        }
    }

    [Fact]
    public void KnownVectorOf32Zeros()
    {
        // RFC 3720, B.4: 32 bytes of zeros give 0x8A9136AA.
        Assert.Equal(0x8A9136AAu, Crc32C.Compute(new byte[32]));
    }
}
