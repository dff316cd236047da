using TickEngine.Engine.Ingest;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Sinks;
using TickEngine.Engine.Tests.Pipeline;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Sinks;

public class SinkTests(ITestOutputHelper output)
{
    /// <summary>A secondary sink that keeps the rows it is given and throws on every 1,000th batch and every 1,000th row.</summary>
    private sealed class FlakySink(SchemaKind kind) : IRowSink
    {
        public readonly List<long[]> Rows = new();
        public long Writes, Flushes, Disposed;
        public SchemaKind Kind { get; } = kind;

        public void Write(Instrument instrument, SegmentSchema schema, ReadOnlySpan<long> row)
        {
            if (++Writes % 1000 == 0) throw new IOException($"the database went away (write {Writes})");
            if (schema.Kind != Kind) throw new InvalidOperationException("a row of another schema");
            Rows.Add(row.ToArray());
        }

        public void Flush()
        {
            if (++Flushes % 1000 == 0) throw new TimeoutException($"the database timed out (batch {Flushes})");
        }

        public void Dispose() => Disposed++;
    }

    private static List<long[]> Rows(string segment)
    {
        using var r = Storage.Reading.SegmentReader.Open(segment);
        using var c = new Storage.Reading.SegmentCursor(r, ownsReader: false);
        var rows = new List<long[]>();
        while (c.MoveNext())
        {
            var row = new long[r.Schema.ColumnCount];
            for (int k = 0; k < row.Length; k++) row[k] = c[k];
            rows.Add(row);
        }
        return rows;
    }

    [Fact]
    public void AFailingSecondarySinkIsIsolatedCountedAndTheSegmentsHoldEveryRow()
    {
        using var dir = new TempDir();
        // Reference: the real capture recorded with no sink at all.
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("plain"));
        var sinks = new List<FlakySink>();
        // A tiny ring and a thread per handler: batches of at most 64 events, so the sink fails on batches as well as rows.
        var options = RecordOptions.ForCapture(dir.File("with-sink")) with
        {
            RingSize = 64,
            SharedHandlerThread = false,
            Sinks = [new SinkRegistration("flaky-db", kind => { var s = new FlakySink(kind); lock (sinks) sinks.Add(s); return s; })],
        };
        var (_, stats) = RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("with-sink"), options);
        output.WriteLine(stats.ToJson()["sinks"]!.ToJsonString());

        // The recording completed and its segments hold exactly the rows of the run without the sink.
        var plain = DataRoot.FindSegments(dir.File("plain")).Select(f => Path.GetRelativePath(dir.File("plain"), f)).ToList();
        Assert.Equal(plain, DataRoot.FindSegments(dir.File("with-sink")).Select(f => Path.GetRelativePath(dir.File("with-sink"), f)).ToList());
        foreach (var rel in plain)
        {
            var a = Rows(Path.Combine(dir.File("plain"), rel));
            var b = Rows(Path.Combine(dir.File("with-sink"), rel));
            Assert.Equal(a.Count, b.Count);
            for (int i = 0; i < a.Count; i++) Assert.True(a[i].AsSpan().SequenceEqual(b[i]), $"{rel}: row {i}");
        }

        // The sink's failures are counted in the summary, per schema, and every row is accounted for: taken or dropped.
        Assert.Equal(5, sinks.Count); // trades, deltas, l2, bars, status
        Assert.All(sinks, s => Assert.Equal(1, s.Disposed));
        var deltas = stats.Outputs.Single(o => o.Schema == SchemaKind.Deltas);
        var sink = deltas.Sinks.Single();
        Assert.Equal("flaky-db", sink.Name);
        // Every 1,000th write attempt threw (rows dropped after a failure are not attempted), and every 1,000th batch.
        var deltaSink = sinks.Single(x => x.Kind == SchemaKind.Deltas);
        Assert.Equal(deltaSink.Writes / 1000 + deltaSink.Flushes / 1000, sink.Failures);
        Assert.Contains("went away", sink.LastError ?? "");
        foreach (var o in stats.Outputs)
        {
            var s = o.Sinks.Single();
            Assert.Equal(o.RowsCommitted, s.Rows + s.RowsDropped);
            Assert.Equal(s.Rows, sinks.Single(x => x.Kind == o.Schema).Rows.Count);
        }
        Assert.True(stats.SinkFailures > 0);
        Assert.True(sinks.Single(x => x.Kind == SchemaKind.Deltas).Flushes >= 1000, "the test meant to fail batches too");
        Assert.Contains("\"failures\"", stats.ToJsonText());
        Assert.Empty(stats.HandlerFaults);
    }
}
