using System.Text;
using TickEngine.Storage.Numerics;
using Xunit;

namespace TickEngine.Storage.Tests.Numerics;

public class FixedDecimalTests
{
    [Theory]
    [InlineData("61837.63000000", 8, 6183763000000L)]
    [InlineData("0.00009000", 8, 9000L)]
    [InlineData("0", 8, 0L)]
    [InlineData("-0.5", 2, -50L)]
    [InlineData("+12", 0, 12L)]
    [InlineData("1e-5", 8, 1000L)]
    [InlineData("1.5E3", 0, 1500L)]
    [InlineData("0.10000000000000000000", 1, 1L)]
    [InlineData("92233720368.54775807", 8, long.MaxValue)]
    [InlineData("-92233720368.54775808", 8, long.MinValue)]
    [InlineData("007.10", 2, 710L)]
    public void ParsesExactly(string text, int scale, long expected)
    {
        Assert.True(FixedDecimal.TryParse(Encoding.ASCII.GetBytes(text), scale, out long m, out var err), err.ToString());
        Assert.Equal(expected, m);
        Assert.True(FixedDecimal.TryParse(text.AsSpan(), scale, out long m2, out _));
        Assert.Equal(expected, m2);
    }

    [Theory]
    [InlineData("0.000000001", 8, DecimalParseError.TooManyDecimals)]
    [InlineData("1.23", 1, DecimalParseError.TooManyDecimals)]
    [InlineData("", 8, DecimalParseError.Empty)]
    [InlineData("abc", 8, DecimalParseError.NotANumber)]
    [InlineData("1.2.3", 8, DecimalParseError.NotANumber)]
    [InlineData("-", 8, DecimalParseError.NotANumber)]
    [InlineData(".", 8, DecimalParseError.NotANumber)]
    [InlineData("1e", 8, DecimalParseError.NotANumber)]
    [InlineData("92233720368.54775808", 8, DecimalParseError.OutOfRange)]
    [InlineData("99999999999999999999999", 0, DecimalParseError.OutOfRange)]
    [InlineData("1e30", 0, DecimalParseError.OutOfRange)]
    [InlineData("NaN", 8, DecimalParseError.NotANumber)]
    [InlineData(" 1", 8, DecimalParseError.NotANumber)]
    public void RefusesWhatCannotBeHeldExactly(string text, int scale, DecimalParseError expected)
    {
        Assert.False(FixedDecimal.TryParse(Encoding.ASCII.GetBytes(text), scale, out _, out var err));
        Assert.Equal(expected, err);
    }

    [Theory]
    [InlineData(6183763000000L, 8, "61837.63")]
    [InlineData(9000L, 8, "0.00009")]
    [InlineData(0L, 8, "0")]
    [InlineData(-50L, 2, "-0.5")]
    [InlineData(100L, 0, "100")]
    [InlineData(long.MinValue, 8, "-92233720368.54775808")]
    [InlineData(long.MaxValue, 18, "9.223372036854775807")]
    public void FormatsShortestExactText(long mantissa, int scale, string expected) =>
        Assert.Equal(expected, FixedDecimal.ToString(mantissa, scale));

    [Fact]
    public void FormatThenParseIsIdentityOnRandomValues()
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        Span<byte> buf = stackalloc byte[48];
        for (int i = 0; i < 20000; i++)
        {
            long m = rng.NextInt64(long.MinValue, long.MaxValue);
            int scale = rng.Next(0, 19);
            int n = FixedDecimal.Format(m, scale, buf);
            Assert.True(FixedDecimal.TryParse(buf[..n], scale, out long back, out _), $"seed {seed}");
            Assert.Equal(m, back);
        }
    }
}
