using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Storage.Tests.Writing;

public class SegmentCompactorTests
{
    [Fact]
    public void ShortBlocksAreRewrittenIntoFullOnesWithEveryRowKept()
    {
        using var dir = new TempDir();
        string path = dir.File("a.tks");
        var rows = SegmentRows.Trades(20_000, 21);
        var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 1723075200_000_000_000, 1, 4096);
        SegmentRows.Write(path, header, rows, seal: true, flushEvery: 30); // a commit every 30 rows, as a live recorder makes
        long before = new FileInfo(path).Length;
        var (b, a) = SegmentCompactor.Compact(path);
        Assert.Equal(667, b);
        Assert.Equal(5, a);
        Assert.True(new FileInfo(path).Length < before / 2, $"{before} -> {new FileInfo(path).Length}");
        var back = SegmentRows.ReadAll(path);
        Assert.Equal(rows.Count, back.Count);
        for (int i = 0; i < rows.Count; i++) Assert.Equal(rows[i], back[i]);
        Assert.False(File.Exists(path + SegmentCompactor.TempSuffix));
        Assert.Equal((5, 5), SegmentCompactor.Compact(path)); // nothing left to do
    }

    [Fact]
    public void AnInterruptedCompactionLeavesTheSegmentWhole()
    {
        using var dir = new TempDir();
        string path = dir.File("a.tks");
        var rows = SegmentRows.Trades(1000, 22);
        var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 1723075200_000_000_000, 1, 4096);
        SegmentRows.Write(path, header, rows, seal: true, flushEvery: 10);
        File.WriteAllBytes(path + SegmentCompactor.TempSuffix, new byte[100]); // a half-written compaction
        Assert.Equal(rows.Count, SegmentRows.ReadAll(path).Count); // the segment itself is whole
        // The next writer of that day removes the leftover and continues the segment.
        string dayPath = Layout.DataRoot.SegmentPath(dir.Path, "binance", "BTCUSDT", SchemaKind.Trades, header.DayStartNs);
        Directory.CreateDirectory(Path.GetDirectoryName(dayPath)!);
        File.Move(path, dayPath);
        File.Move(path + SegmentCompactor.TempSuffix, dayPath + SegmentCompactor.TempSuffix);
        using (var w = new PartitionedWriter(dir.Path, "binance", "BTCUSDT", header.Schema))
            w.Append(rows[^1]);
        Assert.False(File.Exists(dayPath + SegmentCompactor.TempSuffix));
        Assert.Equal(rows.Count + 1, SegmentRows.ReadAll(dayPath).Count);
    }
}
