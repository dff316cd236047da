using System.IO.Compression;
using System.Text.Json;
using TickEngine.Simulator.Dialects.Okx;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// The simulator's OKX checksum is its own (the book as OKX's strings, its own CRC-32), so the live tests through it
/// can catch a bug in the engine's: here it is held to OKX's numbers, the checksum of every book message of the real
/// capture.
/// </summary>
public class OkxSimulatorChecksumTests
{
    [Fact]
    public void TheSimulatorsChecksumIsOkxsOnEveryBookMessageOfTheRealCapture()
    {
        var books = new Dictionary<string, OkxTextBook>();
        int checkedMessages = 0;
        using var gz = new GZipStream(File.OpenRead(VenueCases.Of("okx").CapturePath), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var record = JsonDocument.Parse(line);
            if (record.RootElement.GetProperty("t").GetString() != "recv") continue;
            using var frame = JsonDocument.Parse(record.RootElement.GetProperty("data").GetString()!);
            var root = frame.RootElement;
            if (!root.TryGetProperty("arg", out var arg) || arg.GetProperty("channel").GetString() != "books" || !root.TryGetProperty("data", out var data)) continue;
            string inst = arg.GetProperty("instId").GetString()!;
            if (!books.TryGetValue(inst, out var book)) books[inst] = book = new OkxTextBook();
            if (root.GetProperty("action").GetString() == "snapshot") book.Clear();
            foreach (var d in data.EnumerateArray())
            {
                foreach (var (side, bid) in new[] { ("bids", true), ("asks", false) })
                    foreach (var level in d.GetProperty(side).EnumerateArray()) book.Set(bid, level[0].GetString()!, level[1].GetString()!);
                int sent = d.GetProperty("checksum").GetInt32();
                Assert.True(sent == book.Checksum(), $"{inst} message {checkedMessages}: OKX sent {sent}, the simulator computes {book.Checksum()}");
                checkedMessages++;
            }
        }
        Assert.Equal(3 + 287, checkedMessages); // the capture's books snapshots and updates (fixtures README)
    }

    [Theory]
    [InlineData("", 0u)]
    [InlineData("123456789", 0xCBF43926u)] // the CRC-32 check value
    [InlineData("The quick brown fox jumps over the lazy dog", 0x414FA339u)]
    public void ItsCrc32IsIeees(string text, uint crc) => Assert.Equal(crc, OkxTextBook.Crc32(System.Text.Encoding.ASCII.GetBytes(text)));
}
