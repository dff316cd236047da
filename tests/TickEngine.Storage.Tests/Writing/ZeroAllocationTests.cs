using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Storage.Tests.Writing;

public class ZeroAllocationTests
{
    [Fact]
    public void AppendingRowsAndCommittingBlocksAllocatesNothing()
    {
        using var dir = new TempDir();
        var rows = SegmentRows.Trades(300_000, 11);
        var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 1723075200_000_000_000, 1, 4096);
        // Sized up front: the file grows by doubling (a remap per doubling, not per row), and the in-memory block
        // index holds 1,024 blocks before its first doubling; neither is per row or per block.
        using var w = SegmentWriter.Create(dir.File("a.tks"), header, new SegmentWriterOptions { InitialCapacity = 64 << 20 });
        int next = 0;
        void Write(int count)
        {
            for (int i = 0; i < count; i++) w.Append(rows[next++]);
            w.Flush();
        }
        long allocated = Allocations.Measure(() => Write(10_000), () => Write(250_000));
        Assert.Equal(0, allocated);
        Assert.Equal(260_000, w.CommittedRows);
    }

    [Fact]
    public void GrowingTheSegmentFileAllocatesNothing()
    {
        // From its first size the file is reserved and remapped twice while the measured rows are written: growth goes
        // through posix_fallocate and mmap directly, so it allocates nothing either.
        using var dir = new TempDir();
        var rows = SegmentRows.Trades(300_000, 13);
        var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 1723075200_000_000_000, 1, 4096);
        using var w = SegmentWriter.Create(dir.File("a.tks"), header, new SegmentWriterOptions { InitialCapacity = 64 << 10 });
        int next = 0;
        void Write(int count)
        {
            for (int i = 0; i < count; i++) w.Append(rows[next++]);
            w.Flush();
        }
        Write(10_000);
        long before = new FileInfo(dir.File("a.tks")).Length;
        long allocated = Allocations.MeasureOnly(() => Write(250_000));
        long after = new FileInfo(dir.File("a.tks")).Length;
        Assert.True(after >= 4 * before, $"the file grew from {before:N0} to {after:N0} bytes only");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ReadingEveryRowAllocatesNothing()
    {
        using var dir = new TempDir();
        var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 1723075200_000_000_000, 1, 4096);
        SegmentRows.Write(dir.File("a.tks"), header, SegmentRows.Trades(200_000, 12));
        using var reader = SegmentReader.Open(dir.File("a.tks"));
        long sum = 0;
        void ReadAll()
        {
            using var c = new SegmentCursor(reader, ownsReader: false);
            while (c.MoveNext()) sum += c[TradeColumns.Price];
        }
        var buffer = reader.CreateBuffer();
        void Blocks()
        {
            for (int b = 0; b < reader.Blocks.Count; b++)
            {
                reader.ReadBlock(b, buffer);
                foreach (long v in buffer.Column(TradeColumns.Quantity)) sum += v;
            }
        }
        Assert.Equal(0, Allocations.Measure(Blocks));
        // The cursor itself is created once per segment (a buffer per segment); rows cost nothing.
        long perSegment = Allocations.Measure(ReadAll);
        Assert.True(perSegment < header.BlockRows * 8 * TradeColumns.Count + 4096, $"cursor allocated {perSegment} bytes for 200,000 rows");
        Assert.NotEqual(0, sum);
    }
}
