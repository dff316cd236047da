using System.Text;
using CsCheck;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Storage.Tests.Format;

/// <summary>Format 1.1 trade ids: every accepted text comes back byte for byte; what cannot is refused.</summary>
public class TradeIdsTests
{
    private static string RoundTrip(string text)
    {
        Assert.True(TradeIds.TryEncode(Encoding.ASCII.GetBytes(text), out long hi, out long lo, out long form), $"'{text}' refused");
        return TradeIds.ToText(hi, lo, form)!;
    }

    [Fact]
    public void AUuidIsItsSixteenBytesBigEndian()
    {
        Assert.True(TradeIds.TryEncode("a9188a0a-82bc-50de-be60-03eedbe3cdd7"u8, out long hi, out long lo, out long form));
        Assert.Equal(unchecked((long)0xa9188a0a82bc50deUL), hi);
        Assert.Equal(unchecked((long)0xbe6003eedbe3cdd7UL), lo);
        Assert.Equal(TradeIds.FormUuidLower, form);
        Assert.True(TradeIds.TryEncode("2290000001189048101"u8, out hi, out lo, out form));
        Assert.Equal((2290000001189048101L, 0L, TradeIds.FormInteger), (hi, lo, form));
        Assert.True(TradeIds.TryEncode("AB"u8, out hi, out lo, out form));
        Assert.Equal((0x4142000000000000L, 0L, TradeIds.FormText), (hi, lo, form));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("9223372036854775807")]
    [InlineData("007")]                 // a leading zero: text, so the zero comes back
    [InlineData("-12")]
    [InlineData("4D4AD26C-901F-5146-ADC0-1DB29B6B9AB6")]
    [InlineData("T-9,\"x\"")]
    [InlineData("abcdefghijklmnop")]
    public void KnownFormsComeBackExactly(string text) => Assert.Equal(text, RoundTrip(text));

    [Theory]
    [InlineData("")]
    [InlineData("abcdefghijklmnopq")]                        // 17 bytes, not a UUID
    [InlineData("a9188a0a-82bc-50de-BE60-03eedbe3cdd7")]     // mixed case: the case could not come back
    [InlineData("a b")]
    [InlineData("caf\u00e9")]
    [InlineData("92233720368547758070")]                     // 20 digits
    [InlineData("9223372036854775808")]                      // above int64, and longer than 16 bytes of text
    public void WhatCannotBeStoredExactlyIsRefused(string text) =>
        Assert.False(TradeIds.TryEncode(Encoding.UTF8.GetBytes(text), out _, out _, out _));

    [Fact]
    public void EveryAcceptedIdComesBackByteForByte()
    {
        var printable = Gen.Char['!', '~'];
        var text = Gen.OneOf(
            Gen.Long[0, long.MaxValue].Select(v => v.ToString()),
            Gen.Guid.Select(g => g.ToString()),
            Gen.Guid.Select(g => g.ToString().ToUpperInvariant()),
            printable.Array[1, 16].Select(c => new string(c)),
            Gen.Char["0123456789"].Array[1, 16].Select(c => new string(c)));
        text.Sample(t =>
        {
            var bytes = Encoding.ASCII.GetBytes(t);
            if (!TradeIds.TryEncode(bytes, out long hi, out long lo, out long form)) return false;
            Span<byte> back = stackalloc byte[TradeIds.MaxLength];
            int n = TradeIds.Format(hi, lo, form, back);
            return n >= 0 && back[..n].SequenceEqual(bytes);
        }, iter: 100_000);
    }

    [Fact]
    public void TextIdSegmentsNeedA11ReaderAndOthersStay10()
    {
        using var dir = new TempDir();
        var text = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades, textTradeIds: true), "bybit", "BTCUSDT", GoldenFiles.Day, 1, 4);
        var plain = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", GoldenFiles.Day, 1, 4);
        var textBytes = new byte[text.Length];
        var plainBytes = new byte[plain.Length];
        text.Write(textBytes);
        plain.Write(plainBytes);
        Assert.Equal((1, 1, 1, 1), (textBytes[8], textBytes[10], textBytes[12], textBytes[14]));
        Assert.Equal((1, 0, 1, 0), (plainBytes[8], plainBytes[10], plainBytes[12], plainBytes[14]));
        Assert.True(SegmentHeader.Read(textBytes, "t").Schema.TextTradeIds);

        // A text-id trades header that claims a 1.0 reader could read it is refused, naming the offset.
        textBytes[14] = 0;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(textBytes.AsSpan(text.Length - 4), Crc32C.Compute(textBytes.AsSpan(0, text.Length - 4)));
        var e = Assert.Throws<StorageFormatException>(() => SegmentHeader.Read(textBytes, "t.tks"));
        Assert.Contains("1.1 reader", e.Message);
    }

    [Fact]
    public void GoldenTextIdsReadBackAsTheExchangeSentThem()
    {
        string path = Path.Combine(GoldenFiles.Folder, "trades-textids-v1.1.tks");
        using var r = SegmentReader.Open(path);
        Assert.True(r.Schema.TextTradeIds);
        var texts = SegmentRows.ReadAll(path).Select(row => TradeIds.ToText(row[TradeColumns.TradeId], row[TradeColumns.TradeIdLo], row[TradeColumns.Flags])!).ToArray();
        Assert.Equal<string>(["a9188a0a-82bc-50de-be60-03eedbe3cdd7", "19d7df56-4f10-5290-a969-d9d9f2c74cc3", "4d4ad26c-901f-5146-adc0-1db29b6b9ab6",
            "2290000001189048101", "4D4AD26C-901F-5146-ADC0-1DB29B6B9AB6", "T-9,\"x\""], texts);
    }
}
