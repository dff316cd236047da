using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Sinks;
using TickEngine.Engine.Tests.Pipeline;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Sinks;

/// <summary>
/// The sink contract on the real Binance capture: sinks that fail, that are slow, that are cut off and restarted,
/// under every failure policy. The segments never change; each policy does what it says; a sink that keeps its
/// positions ends with every committed row exactly once.
/// </summary>
public class SinkTests(ITestOutputHelper output)
{
    /// <summary>Commits on a one-second grid of receive time: many small batches, as a live recording makes.</summary>
    private static RecordOptions Options(string root, params SinkRegistration[] sinks) => Options(root, 1, sinks);

    /// <summary>A grid of <paramref name="seconds"/>: fewer, larger batches (a slow sink's tests then take seconds, not minutes).</summary>
    private static RecordOptions Options(string root, int seconds, params SinkRegistration[] sinks) =>
        RecordOptions.ForCapture(root) with { CommitInterval = TimeSpan.FromSeconds(seconds), Sinks = sinks };

    /// <summary>Every row of every segment of a root from row <c>starts[segment]</c> (0 when not listed), per segment, with its row number.</summary>
    internal static Dictionary<SegmentId, List<(long Row, long[] Values)>> SegmentRows(string root, IReadOnlyDictionary<SegmentId, long>? starts = null)
    {
        var all = new Dictionary<SegmentId, List<(long, long[])>>();
        foreach (var path in DataRoot.FindSegments(root))
        {
            Assert.True(DataRoot.TryParseName(path, out long day, out int part));
            var schemaDir = Path.GetDirectoryName(path)!;
            var symbolDir = Path.GetDirectoryName(schemaDir)!;
            Assert.True(SegmentSchema.TryParseName(Path.GetFileName(schemaDir), out var kind));
            var id = new SegmentId(new StreamKey(Path.GetFileName(Path.GetDirectoryName(symbolDir)!), Path.GetFileName(symbolDir), kind), day, part);
            long start = starts is not null && starts.TryGetValue(id, out var s0) ? s0 : 0;
            var list = new List<(long, long[])>();
            using var r = Storage.Reading.SegmentReader.Open(path);
            using var c = new Storage.Reading.SegmentCursor(r, ownsReader: false);
            long i = 0;
            while (c.MoveNext())
            {
                long at = i++;
                if (at < start) continue;
                var row = new long[r.Schema.ColumnCount];
                for (int k = 0; k < row.Length; k++) row[k] = c[k];
                list.Add((at, row));
            }
            if (list.Count > 0) all[id] = list;
        }
        return all;
    }

    /// <summary>What a store holds, per segment, in the order the sink was given it.</summary>
    internal static Dictionary<SegmentId, List<(long Row, long[] Values)>> StoreRows(TableStore store)
    {
        lock (store.Gate)
            return store.Rows.SelectMany(kv => kv.Value.Select(r => (Id: SegmentId.Of(kv.Key, r.At), Row: r.At.Row, Values: r.Row)))
                .GroupBy(x => x.Id).ToDictionary(g => g.Key, g => g.Select(x => (x.Row, x.Values)).ToList());
    }

    /// <summary>The store holds exactly the expected rows: same segments, same row numbers, same values, in order.</summary>
    internal static void AssertHolds(Dictionary<SegmentId, List<(long Row, long[] Values)>> expected, TableStore store)
    {
        lock (store.Gate)
        {
            Assert.Empty(store.Duplicates);
            Assert.Empty(store.Holes);
        }
        var held = StoreRows(store);
        Assert.Equal(expected.Keys.Select(k => k.ToString()).Order(), held.Keys.Select(k => k.ToString()).Order());
        foreach (var (id, rows) in expected)
        {
            var got = held[id];
            Assert.True(rows.Count == got.Count, $"{id}: {rows.Count:N0} rows in the segment, {got.Count:N0} in the sink");
            for (int i = 0; i < rows.Count; i++)
            {
                Assert.True(rows[i].Row == got[i].Row, $"{id} row {i}: row {rows[i].Row} in the segment, {got[i].Row} in the sink");
                Assert.True(rows[i].Values.AsSpan().SequenceEqual(got[i].Values), $"{id} row {rows[i].Row} differs");
            }
        }
    }

    private static void AssertSameSegments(string a, string b)
    {
        var left = SegmentRows(a);
        var right = SegmentRows(b);
        Assert.Equal(left.Keys.Select(k => k.ToString()).Order(), right.Keys.Select(k => k.ToString()).Order());
        foreach (var (id, rows) in left)
        {
            var other = right[id];
            Assert.Equal(rows.Count, other.Count);
            for (int i = 0; i < rows.Count; i++) Assert.True(rows[i].Values.AsSpan().SequenceEqual(other[i].Values), $"{id} row {i}");
        }
    }

    private void Print(RecordStatistics stats) => output.WriteLine(stats.ToJson()["sinks"]!.ToJsonString());

    [Fact]
    public void SinksThatFailOrAreSlowLeaveTheSegmentsAsARunWithoutSinks()
    {
        using var dir = new TempDir();
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("plain"), Options(dir.File("plain"), 5));
        var failing = new TableStore();
        var slow = new TableStore();
        var dropping = new TableStore();
        var (_, stats) = RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("sinks"), Options(dir.File("sinks"), 5,
            new SinkRegistration(new TableSink(failing, "table:failing") { FailWrite = n => n % 5 == 0, FailFlush = n => n % 7 == 0 },
                new SinkOptions { RetryDelay = TimeSpan.FromMilliseconds(1) }),
            new SinkRegistration(new TableSink(slow, "table:slow") { DelayPerBatch = TimeSpan.FromMilliseconds(10) },
                new SinkOptions { Policy = FailurePolicy.Block, PauseRows = 20_000 }),
            new SinkRegistration(new TableSink(dropping, "table:dropping") { FailWrite = n => n % 9 == 0 },
                new SinkOptions { Policy = FailurePolicy.Drop, RetryDelay = TimeSpan.FromMilliseconds(1) })));
        Print(stats);
        AssertSameSegments(dir.File("plain"), dir.File("sinks"));
        Assert.Empty(stats.HandlerFaults);
        Assert.All(stats.Sinks, s => Assert.Equal(SinkState.Done, s.State));
    }

    [Fact]
    public void UnderCatchUpASinkThatKeepsFailingEndsWithEveryRowExactlyOnce()
    {
        using var dir = new TempDir();
        var store = new TableStore();
        var sink = new TableSink(store) { FailWrite = n => n % 5 == 0, FailFlush = n => n % 7 == 0 };
        var (_, stats) = RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path, Options(dir.Path,
            new SinkRegistration(sink, new SinkOptions { RetryDelay = TimeSpan.FromMilliseconds(1) })));
        Print(stats);
        AssertHolds(SegmentRows(dir.Path), store);
        var s = stats.Sinks.Single();
        Assert.Equal(SinkState.Done, s.State);
        Assert.True(s.Failures >= 10, $"{s.Failures} failures");
        Assert.True(sink.Recoveries >= 10);
        Assert.True(s.RowsCaughtUp > 0, "rows lost in failures are read back from the segments");
        Assert.Equal(0, s.RowsDropped);
        Assert.Equal(0, s.LagRows);
        Assert.Equal(store.Count, s.RowsDurable);
        Assert.Equal(stats.Outputs.Sum(o => o.RowsCommitted), s.RowsOffered);
        Assert.Matches("went away|timed out", s.LastError ?? "");
        Assert.Equal(1, sink.Disposals);
    }

    [Fact]
    public void UnderBlockASlowSinkHoldsTheRecordingBackAndMissesNothing()
    {
        using var dir = new TempDir();
        var store = new TableStore();
        const long pause = 20_000;
        var (_, stats) = RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path, Options(dir.Path, 5,
            new SinkRegistration(new TableSink(store) { DelayPerBatch = TimeSpan.FromMilliseconds(10) },
                new SinkOptions { Policy = FailurePolicy.Block, PauseRows = pause })));
        Print(stats);
        AssertHolds(SegmentRows(dir.Path), store);
        var s = stats.Sinks.Single();
        Assert.True(s.HandlerWaitSeconds > 0, "the handler waited for the sink");
        Assert.True(s.QueuePeakRows <= pause + SegmentHeader.DefaultBlockRows, $"queue peak {s.QueuePeakRows:N0} rows");
        Assert.Equal(0, s.RowsDeferred);
        Assert.Equal(0, s.RowsDropped);
        Assert.Equal(0, s.RowsCaughtUp);
        Assert.Equal(0, s.LagRows);
    }

    [Fact]
    public void UnderCatchUpASlowSinkNeverHoldsTheRecordingBackAndIsCaughtUpFromTheSegments()
    {
        using var dir = new TempDir();
        var store = new TableStore();
        var (_, stats) = RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path, Options(dir.Path,
            new SinkRegistration(new TableSink(store) { DelayPerBatch = TimeSpan.FromMilliseconds(10) },
                new SinkOptions { Policy = FailurePolicy.CatchUp, PauseRows = 20_000 })));
        Print(stats);
        AssertHolds(SegmentRows(dir.Path), store);
        var s = stats.Sinks.Single();
        Assert.Equal(0, s.HandlerWaitSeconds);
        Assert.True(s.RowsDeferred > 0, "the queue filled and batches were left to the segments");
        Assert.True(s.RowsCaughtUp >= s.RowsDeferred, $"{s.RowsCaughtUp:N0} rows read back, {s.RowsDeferred:N0} deferred");
        Assert.Equal(0, s.LagRows);
    }

    [Fact]
    public void UnderDropWhatIsDroppedIsCountedAndEverythingElseIsExact()
    {
        using var dir = new TempDir();
        var store = new TableStore();
        var (_, stats) = RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path, Options(dir.Path,
            new SinkRegistration(new TableSink(store) { DelayPerBatch = TimeSpan.FromMilliseconds(10), FailWrite = n => n % 9 == 0 },
                new SinkOptions { Policy = FailurePolicy.Drop, PauseRows = 20_000, RetryDelay = TimeSpan.FromMilliseconds(1) })));
        Print(stats);
        var s = stats.Sinks.Single();
        Assert.True(s.RowsDropped > 0);
        Assert.True(s.Failures > 0);
        Assert.Equal(0, s.RowsCaughtUp);
        Assert.Equal(0, s.HandlerWaitSeconds);
        // Every row is either in the sink, at its place with its values, or counted as dropped.
        var segments = SegmentRows(dir.Path);
        long held = 0;
        lock (store.Gate) Assert.Empty(store.Duplicates);
        foreach (var (id, rows) in StoreRows(store))
        {
            var at = segments[id].ToDictionary(r => r.Row, r => r.Values);
            foreach (var (row, values) in rows) Assert.True(at.TryGetValue(row, out var seg) && seg.AsSpan().SequenceEqual(values), $"{id} row {row}");
            held += rows.Count;
        }
        Assert.Equal(s.RowsOffered, held + s.RowsDropped);
        Assert.Equal(segments.Values.Sum(v => v.Count), s.RowsOffered);
        Assert.Equal(0, s.LagRows);
    }

    [Fact]
    public void UnderStopAFailingSinkStopsTheRunAndSaysWhy()
    {
        using var dir = new TempDir();
        var store = new TableStore();
        var options = Options(dir.Path, new SinkRegistration(new TableSink(store) { FailWrite = n => n == 3 }, new SinkOptions { Policy = FailurePolicy.Stop }));
        var pipeline = new RecordPipeline(options);
        var source = new Capture.CaptureFileSource(RepoPaths.BinanceSpotCapture, pipeline.Adapter);
        pipeline.Start();
        try { source.Run(pipeline.SinkStopped); }
        catch (OperationCanceledException) { }
        finally { pipeline.Stop(); }
        Assert.True(pipeline.SinkStopped.IsCancellationRequested);
        var stats = pipeline.Statistics();
        Print(stats);
        var s = stats.Sinks.Single();
        Assert.Equal(SinkState.Stopped, s.State);
        Assert.Contains(stats.HandlerFaults, f => f.Contains("table:test") && f.Contains("went away") && f.Contains("policy stop"));
        // The run stopped early, cleanly: every committed row is readable and the sink holds exactly the first two batches.
        var segments = SegmentRows(dir.Path);
        long inSegments = segments.Values.Sum(v => v.Count);
        Assert.True(inSegments < RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("whole"), Options(dir.File("whole"))).Summary.Outputs.Sum(o => o.RowsCommitted));
        Assert.Empty(store.Duplicates);
    }

    [Fact]
    public void ARunCutOffBeforeItsSinkCaughtUpIsCaughtUpByTheNextRunFromTheSegments()
    {
        using var dir = new TempDir();
        var store = new TableStore();
        // Run 1: a sink so slow that the run ends (Ctrl+C) long before it has taken the rows.
        var slow = new TableSink(store) { DelayPerBatch = TimeSpan.FromMilliseconds(200) };
        var pipeline = new RecordPipeline(Options(dir.Path, new SinkRegistration(slow, new SinkOptions { PauseRows = 5_000 })));
        var source = new Capture.CaptureFileSource(RepoPaths.BinanceSpotCapture, pipeline.Adapter);
        pipeline.Start();
        source.Run();
        using (var cut = new CancellationTokenSource())
        {
            cut.Cancel();
            pipeline.Stop(cut.Token);
        }
        var first = pipeline.Statistics().Sinks.Single();
        output.WriteLine($"run 1: {first.RowsDurable:N0} durable, lag {first.LagRows:N0} rows, {first.State}");
        Assert.Equal(SinkState.Abandoned, first.State);
        Assert.True(first.LagRows > 0);
        long held = store.Count;
        Assert.True(held < SegmentRows(dir.Path).Values.Sum(v => v.Count));

        // Run 2 on the same root (the capture again: its rows continue the same segments) with the same store.
        var again = new TableSink(store);
        var (_, stats) = RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path, Options(dir.Path, new SinkRegistration(again)));
        Print(stats);
        var s = stats.Sinks.Single();
        Assert.True(s.RowsCaughtUp > 0, "the rows run 1 left were read back from the segments");
        AssertHolds(SegmentRows(dir.Path), store);
        Assert.Equal(0, s.LagRows);
    }

    [Fact]
    public void ASinkAttachedToARootWithRowsStartsWithTheRunUnlessAskedToBackfill()
    {
        using var dir = new TempDir();
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path, Options(dir.Path));
        var before = SegmentRows(dir.Path).ToDictionary(kv => kv.Key, kv => kv.Value[^1].Row + 1);
        var fromRun = new TableStore();
        var backfill = new TableStore();
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path, Options(dir.Path,
            new SinkRegistration(new TableSink(fromRun, "table:from-run")),
            new SinkRegistration(new TableSink(backfill, "table:backfill"), new SinkOptions { Start = SinkStart.Beginning })));
        AssertHolds(SegmentRows(dir.Path, starts: before), fromRun);
        AssertHolds(SegmentRows(dir.Path), backfill);
        // The attachments are remembered: a third run continues both from where they are.
        RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.Path, Options(dir.Path,
            new SinkRegistration(new TableSink(fromRun, "table:from-run")),
            new SinkRegistration(new TableSink(backfill, "table:backfill"), new SinkOptions { Start = SinkStart.Beginning })));
        AssertHolds(SegmentRows(dir.Path, starts: before), fromRun);
        AssertHolds(SegmentRows(dir.Path), backfill);
    }
}
