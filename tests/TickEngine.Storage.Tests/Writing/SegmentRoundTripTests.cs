using TickEngine.Tests.Shared;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;
using Xunit;

namespace TickEngine.Storage.Tests.Writing;

public class SegmentRoundTripTests
{
    private static SegmentHeader TradesHeader(int blockRows = 256) =>
        new(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 1723075200_000_000_000, 1, blockRows);

    [Fact]
    public void SealedSegmentGivesBackEveryRowExactly()
    {
        using var dir = new TempDir();
        var rows = SegmentRows.Trades(10_000, 1);
        SegmentRows.Write(dir.File("a.tks"), TradesHeader(), rows);
        var back = SegmentRows.ReadAll(dir.File("a.tks"));
        Assert.Equal(rows.Count, back.Count);
        for (int i = 0; i < rows.Count; i++) Assert.Equal(rows[i], back[i]);
        using var r = SegmentReader.Open(dir.File("a.tks"));
        Assert.True(r.Sealed);
        Assert.Empty(r.Verify());
        Assert.Equal(new FileInfo(dir.File("a.tks")).Length, r.FileLength);
    }

    [Fact]
    public void UnsealedSegmentIsReadFromItsBlockChainAndCanBeContinued()
    {
        using var dir = new TempDir();
        string path = dir.File("a.tks");
        var rows = SegmentRows.Trades(3000, 2);
        SegmentRows.Write(path, TradesHeader(), rows.Take(1000), seal: false);
        using (var r = SegmentReader.Open(path))
        {
            Assert.False(r.Sealed);
            Assert.Equal(1000, r.TotalRows);
            Assert.Empty(r.Problems);
        }
        SegmentRows.Write(path, TradesHeader(), rows.Skip(1000).Take(1000), seal: true);
        SegmentRows.Write(path, TradesHeader(), rows.Skip(2000), seal: true); // reopen a sealed one
        var back = SegmentRows.ReadAll(path);
        Assert.Equal(rows.Count, back.Count);
        for (int i = 0; i < rows.Count; i++) Assert.Equal(rows[i], back[i]);
    }

    [Fact]
    public void ReaderTailsAWriterThatIsStillAppending()
    {
        using var dir = new TempDir();
        string path = dir.File("a.tks");
        var rows = SegmentRows.Trades(5000, 3);
        using var w = SegmentWriter.Create(path, TradesHeader(), new SegmentWriterOptions { BlockRows = 256, InitialCapacity = 4096 });
        for (int i = 0; i < 300; i++) w.Append(rows[i]);
        using var r = SegmentReader.Open(path);
        Assert.Equal(256, r.TotalRows); // one full block committed, 44 rows pending
        w.Flush();
        Assert.True(r.Refresh());
        Assert.Equal(300, r.TotalRows);
        for (int i = 300; i < 5000; i++) w.Append(rows[i]); // grows the file past the reader's mapping
        w.Flush();
        Assert.True(r.Refresh());
        Assert.Equal(5000, r.TotalRows);
        var buffer = r.CreateBuffer();
        r.ReadBlock(r.Blocks.Count - 1, buffer);
        Assert.Equal(rows[4999][TradeColumns.TradeId], buffer[TradeColumns.TradeId, buffer.Rows - 1]);
    }

    [Fact]
    public void BlockIndexFindsATimeRangeWithoutDecodingEarlierBlocks()
    {
        using var dir = new TempDir();
        var rows = SegmentRows.Trades(20_000, 4);
        SegmentRows.Write(dir.File("a.tks"), TradesHeader(), rows);
        using var r = SegmentReader.Open(dir.File("a.tks"));
        long target = rows[15_000][0];
        int b = r.FirstBlockFrom(target);
        Assert.True(r.Blocks[b].MaxExchangeTime >= target);
        Assert.True(b == 0 || r.Blocks[b - 1].MaxExchangeTime < target);
        Assert.True(b > 0);
    }

    [Fact]
    public void RefusesRowsOfAnotherSchemaOrScale()
    {
        using var dir = new TempDir();
        string path = dir.File("a.tks");
        SegmentRows.Write(path, TradesHeader(), SegmentRows.Trades(10, 5));
        var other = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades, priceScale: 2), "binance", "BTCUSDT", 1723075200_000_000_000, 1, 256);
        var e = Assert.Throws<StorageFormatException>(() => SegmentWriter.OpenOrCreate(path, other));
        Assert.Contains("cannot take rows", e.Message);
    }

    [Fact]
    public void L2SegmentsRoundTripAtFiftyLevels()
    {
        using var dir = new TempDir();
        var schema = SegmentSchema.Create(SchemaKind.L2, depth: 50);
        var header = new SegmentHeader(schema, "binance", "BTCUSDT", 1723075200_000_000_000, 1, 64);
        var rng = new Random(6);
        var rows = new List<long[]>();
        for (int i = 0; i < 500; i++)
        {
            var row = new long[schema.ColumnCount];
            row[0] = 1723161255000_000_000 + i * 1_000_000_000L;
            row[1] = row[0] + 5_000_000;
            row[2] = 50093239218 + i * 17;
            row[3] = 50;
            row[4] = 49; // one empty ask level, stored as zeros
            for (int c = 6; c < schema.ColumnCount - 2; c++) row[c] = rng.NextInt64(1, 1L << 45);
            rows.Add(row);
        }
        SegmentRows.Write(dir.File("l2.tks"), header, rows);
        var back = SegmentRows.ReadAll(dir.File("l2.tks"));
        for (int i = 0; i < rows.Count; i++) Assert.Equal(rows[i], back[i]);
    }

    [Fact]
    public void EmptyAndForeignFilesAreRefusedWithTheFileAndOffset()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("empty.tks"), []);
        File.WriteAllText(dir.File("text.tks"), "timestamp,symbol,price\n1,BTCUSDT,2\n");
        var e1 = Assert.Throws<StorageFormatException>(() => SegmentReader.Open(dir.File("empty.tks")));
        Assert.Contains("empty.tks", e1.Message);
        Assert.Contains("empty", e1.Message);
        var e2 = Assert.Throws<StorageFormatException>(() => SegmentReader.Open(dir.File("text.tks")));
        Assert.Contains("wrong magic", e2.Message);
        Assert.Equal(0, e2.Offset);
    }

    [Fact]
    public void AFutureMajorVersionIsRefusedClearly()
    {
        using var dir = new TempDir();
        string path = dir.File("future.tks");
        SegmentRows.Write(path, TradesHeader(), SegmentRows.Trades(10, 7));
        var bytes = File.ReadAllBytes(path);
        bytes[8] = 2; // major version 2
        var header = TradesHeader();
        // Recompute the header checksum so that only the version is "wrong".
        int len = header.Length;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(len - 4), Crc32C.Compute(bytes.AsSpan(0, len - 4)));
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<StorageFormatException>(() => SegmentReader.Open(path));
        Assert.Contains("format version 2.0 is not supported", e.Message);
        Assert.Equal(8, e.Offset);
    }

    [Fact]
    public void PartitionedWriterSplitsByUtcDayAndContinuesADay()
    {
        using var dir = new TempDir();
        var schema = SegmentSchema.Create(SchemaKind.Trades);
        long day = 1723075200_000_000_000;
        long[] Row(long t, long id) => [t, t, id, 100, 1, 1, 0];
        using (var w = new PartitionedWriter(dir.Path, "binance", "BTCUSDT", schema))
        {
            w.Append(Row(day + 86_399_999_999_999, 1));
            w.Append(Row(day + 86_400_000_000_000, 2));
        }
        using (var w = new PartitionedWriter(dir.Path, "binance", "BTCUSDT", schema))
            w.Append(Row(day + 86_400_000_000_001, 3));
        var files = Layout.DataRoot.FindSegments(dir.Path, SchemaKind.Trades);
        Assert.Equal(2, files.Count);
        Assert.EndsWith(Path.Combine("binance", "BTCUSDT", "trades", "2024-08-08.tks"), files[0]);
        Assert.EndsWith(Path.Combine("binance", "BTCUSDT", "trades", "2024-08-09.tks"), files[1]);
        Assert.Equal([2L, 3L], SegmentRows.ReadAll(files[1]).Select(r => r[2]).ToArray());
    }
}
