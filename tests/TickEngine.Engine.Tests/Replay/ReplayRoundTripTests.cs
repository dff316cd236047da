using System.Buffers.Binary;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Replay;
using TickEngine.Engine.Tests.Pipeline;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Replay;

public class ReplayRoundTripTests
{
    [Fact]
    public void ReplayingARecordingThroughTheSameHandlersGivesTheSameSegmentsByteForByte()
    {
        using var dir = new TempDir();
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("live"));
        var pipeline = new RecordPipeline(new RecordOptions { Root = dir.File("replay"), WallClockFlush = false });
        using var reader = new ReplayReader(new ReplaySelection { Root = dir.File("live"), Clock = ReplayClock.Receive });
        var replay = new ReplayPublisher(reader, pipeline.Registry, pipeline.Publisher, speed: 0);
        pipeline.Start();
        replay.Run();
        pipeline.Stop();
        Assert.Empty(pipeline.Faults);
        Assert.Equal(Fixtures.BinanceSpot.Trades + Fixtures.BinanceSpot.LevelChanges + 1, replay.Events);
        foreach (var kind in new[] { SchemaKind.Trades, SchemaKind.Deltas, SchemaKind.L2, SchemaKind.Bars, SchemaKind.Status })
        {
            var a = DataRoot.FindSegments(dir.File("live"), kind);
            var b = DataRoot.FindSegments(dir.File("replay"), kind);
            Assert.Equal(a.Select(Path.GetFileName), b.Select(Path.GetFileName));
            for (int i = 0; i < a.Count; i++)
            {
                var x = File.ReadAllBytes(a[i]);
                var y = File.ReadAllBytes(b[i]);
                int header = BinaryPrimitives.ReadInt32LittleEndian(x.AsSpan(16));
                Assert.True(x.AsSpan(header).SequenceEqual(y.AsSpan(header)), $"{kind} {Path.GetFileName(a[i])}: {x.Length} vs {y.Length} bytes");
            }
        }
    }

    [Fact]
    public void MergedReplayIsInTimeOrderWithTheDocumentedTieRuleAndHonoursTheRange()
    {
        using var dir = new TempDir();
        // Two symbols and three schemas: the real capture recorded as BTCUSDT, and again under another name.
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("root"));
        var lines = CaptureLines.BinanceSpot().Select(l => (l.Ns + 333, l.Frame.Replace("btcusdt", "ethusdt").Replace("BTCUSDT", "ETHUSDT"))).ToList();
        CaptureLines.Write(dir.File("eth.txt"), lines);
        RecordRun.Run(dir.File("eth.txt"), dir.File("root"), new RecordOptions { Root = dir.File("root"), WallClockFlush = false, DefaultSymbol = "ETHUSDT" });
        int Priority(SchemaKind k) => k switch { SchemaKind.Status => 0, SchemaKind.Deltas => 1, _ => 2 };
        long count = 0;
        long prev = long.MinValue;
        (int, string) prevKey = (-1, "");
        using (var r = new ReplayReader(new ReplaySelection { Root = dir.File("root") }))
        {
            while (r.MoveNext())
            {
                long t = r.Timestamp;
                Assert.True(t >= prev, $"row {count}: {t} after {prev}");
                var key = (Priority(r.Kind), r.Symbol);
                if (t == prev) Assert.True(key.CompareTo(prevKey) >= 0, $"tie at {t}: {key} after {prevKey}");
                prev = t;
                prevKey = key;
                count++;
            }
        }
        Assert.Equal(2 * (Fixtures.BinanceSpot.Trades + Fixtures.BinanceSpot.LevelChanges + 1), count);
        // A range returns exactly the rows inside [start, end).
        long start = 1723161400_000_000_000, end = 1723161500_000_000_000;
        long expected = 0;
        foreach (var kind in new[] { SchemaKind.Trades, SchemaKind.Deltas, SchemaKind.Status })
            foreach (var f in DataRoot.FindSegments(dir.File("root"), kind))
            {
                using var c = new SegmentCursor(SegmentReader.Open(f));
                while (c.MoveNext()) if (c.Timestamp >= start && c.Timestamp < end) expected++;
            }
        long got = 0;
        using (var r = new ReplayReader(new ReplaySelection { Root = dir.File("root"), StartNs = start, EndNs = end }))
            while (r.MoveNext()) { Assert.InRange(r.Timestamp, start, end - 1); got++; }
        Assert.Equal(expected, got);
        Assert.True(got > 1000);
    }
}

public class ReplayAllocationTests
{
    [Fact]
    public void ReplayingRowsOntoTheRingAllocatesNothingPerRow()
    {
        using var dir = new TempDir();
        Pipeline.RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path);
        using var reader = new ReplayReader(new ReplaySelection { Root = dir.Path, Clock = ReplayClock.Receive });
        for (int i = 0; i < 5_000; i++) Assert.True(reader.MoveNext()); // every segment is open by now
        var ring = new TickEngine.Engine.Ring.ValueDisruptor<TickEngine.Engine.Events.MarketEvent>(1 << 18);
        var publisher = new TickEngine.Engine.Ingest.EventPublisher(ring.Ring, ring.Sequencer);
        var registry = new TickEngine.Engine.Ingest.InstrumentRegistry();
        var replay = new ReplayPublisher(reader, registry, publisher, speed: 0);
        replay.Run(maxEvents: 5_000); // warm: instruments resolved, code jitted
        Assert.Equal(0, Allocations.MeasureOnly(() => replay.Run(maxEvents: 100_000)));
        Assert.Equal(105_000, replay.Events);
    }
}
