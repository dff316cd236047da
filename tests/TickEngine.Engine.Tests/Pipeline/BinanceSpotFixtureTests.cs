using System.Globalization;
using System.Text.Json;
using TickEngine.Engine.Tests.Pipeline;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Pipeline;

/// <summary>The facts ../shared/fixtures/README.md states for the real Binance spot capture, checked end to end.</summary>
public class BinanceSpotFixtureTests : IClassFixture<BinanceSpotFixtureTests.Recorded>
{
    public sealed class Recorded : IDisposable
    {
        public readonly TempDir Dir = new();
        public readonly TickEngine.Engine.Pipeline.RecordStatistics Summary;

        public Recorded() => Summary = RecordRun.Run(RepoPaths.BinanceSpotCapture, Dir.File("root")).Summary;

        public string Root => Dir.File("root");

        public void Dispose() => Dir.Dispose();
    }

    private readonly Recorded _r;

    public BinanceSpotFixtureTests(Recorded r) => _r = r;

    [Fact]
    public void BookSyncMatchesTheDocumentedFacts()
    {
        var s = _r.Summary;
        Assert.Equal(Fixtures.BinanceSpot.Lines, s.Ingest.Frames);
        Assert.Equal(0L, s.Ingest.Malformed);
        Assert.Equal(3_449L, s.Ingest.DiffsApplied);
        Assert.Equal(2L, s.Ingest.DiffsStale);
        Assert.Equal(0L, s.Ingest.Gaps);
        Assert.Equal(0L, s.Ingest.Resyncs);
        Assert.Equal(1L, s.Ingest.Syncs);
        Assert.Equal(564L, s.Ingest.BookTickerMatched);
        Assert.Equal(0L, s.Ingest.BookTickerMismatched);
        Assert.Equal(0L, s.Ingest.Crossed);
    }

    [Fact]
    public void EveryTradeIsStoredExactlyAsInTheFrames()
    {
        var expected = new List<(long T, long Recv, long Id, decimal P, decimal Q, bool M)>();
        foreach (var (ns, frame) in CaptureLines.BinanceSpot())
        {
            if (!frame.Contains("@trade\"", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(frame);
            var d = doc.RootElement.GetProperty("data");
            expected.Add((d.GetProperty("T").GetInt64(), ns, d.GetProperty("t").GetInt64(), decimal.Parse(d.GetProperty("p").GetString()!, CultureInfo.InvariantCulture),
                decimal.Parse(d.GetProperty("q").GetString()!, CultureInfo.InvariantCulture), d.GetProperty("m").GetBoolean()));
        }
        var stored = new List<long[]>();
        foreach (var file in DataRoot.FindSegments(_r.Root, SchemaKind.Trades))
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            while (c.MoveNext()) stored.Add(Enumerable.Range(0, TradeColumns.Count).Select(k => c[k]).ToArray());
        }
        Assert.Equal(Fixtures.BinanceSpot.Trades, expected.Count);
        Assert.Equal(expected.Count, stored.Count);
        for (int i = 0; i < stored.Count; i++)
        {
            var (t, recv, id, p, q, m) = expected[i];
            var row = stored[i];
            Assert.Equal(t * 1_000_000, row[TradeColumns.ExchangeTime]);
            Assert.Equal(recv, row[TradeColumns.ReceiveTime]);
            Assert.Equal(id, row[TradeColumns.TradeId]);
            Assert.Equal(p, row[TradeColumns.Price] / 100_000_000m);
            Assert.Equal(q, row[TradeColumns.Quantity] / 100_000_000m);
            Assert.Equal(m ? (long)TradeSide.Sell : (long)TradeSide.Buy, row[TradeColumns.Side]);
        }
    }

    [Fact]
    public void BarsEqualBarsComputedIndependently()
    {
        // Independent computation: group the frames' trades by interval with decimal arithmetic.
        var trades = new List<(long T, decimal P, decimal Q, bool Buy, long Id)>();
        foreach (var (_, frame) in CaptureLines.BinanceSpot())
        {
            if (!frame.Contains("@trade\"", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(frame);
            var d = doc.RootElement.GetProperty("data");
            trades.Add((d.GetProperty("T").GetInt64(), decimal.Parse(d.GetProperty("p").GetString()!, CultureInfo.InvariantCulture),
                decimal.Parse(d.GetProperty("q").GetString()!, CultureInfo.InvariantCulture), !d.GetProperty("m").GetBoolean(), d.GetProperty("t").GetInt64()));
        }
        var stored = new Dictionary<(long Open, long Interval), long[]>();
        foreach (var file in DataRoot.FindSegments(_r.Root, SchemaKind.Bars))
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            while (c.MoveNext()) stored[(c[BarColumns.OpenTime], c[BarColumns.Interval])] = Enumerable.Range(0, BarColumns.Count).Select(k => c[k]).ToArray();
        }
        int compared = 0;
        foreach (long intervalMs in new long[] { 60_000, 300_000, 900_000, 3_600_000, 14_400_000, 86_400_000 })
        {
            foreach (var g in trades.GroupBy(t => t.T - t.T % intervalMs))
            {
                var list = g.ToList();
                Assert.True(stored.TryGetValue((g.Key * 1_000_000, intervalMs * 1_000_000), out var row), $"no {intervalMs} ms bar at {g.Key}");
                Assert.Equal(list[0].P, row[BarColumns.Open] / 1e8m);
                Assert.Equal(list.Max(t => t.P), row[BarColumns.High] / 1e8m);
                Assert.Equal(list.Min(t => t.P), row[BarColumns.Low] / 1e8m);
                Assert.Equal(list[^1].P, row[BarColumns.Close] / 1e8m);
                Assert.Equal(list.Sum(t => t.Q), row[BarColumns.Volume] / 1e8m);
                Assert.Equal(list.Where(t => t.Buy).Sum(t => t.Q), row[BarColumns.BuyVolume] / 1e8m);
                Assert.Equal(list.Count, row[BarColumns.TradeCount]);
                Assert.Equal(list[0].Id, row[BarColumns.FirstTradeId]);
                Assert.Equal(list[^1].Id, row[BarColumns.LastTradeId]);
                compared++;
            }
        }
        Assert.Equal(compared, stored.Count);
        // Every bar of the capture's last interval is partial (the recording stopped inside it).
        Assert.Contains(stored.Values, r => (r[BarColumns.Flags] & (long)RowFlags.Partial) != 0);
    }

    [Fact]
    public void L2SamplesAreTheBookAtEachSecondAndNeverCrossed()
    {
        var rows = new List<long[]>();
        int depth = 0;
        foreach (var file in DataRoot.FindSegments(_r.Root, SchemaKind.L2))
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            depth = c.Reader.Schema.Depth;
            while (c.MoveNext()) rows.Add(Enumerable.Range(0, c.Reader.Schema.ColumnCount).Select(k => c[k]).ToArray());
        }
        Assert.Equal(5, depth);
        Assert.Equal(346, rows.Count);
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            Assert.Equal(0, r[0] % 1_000_000_000);
            if (i > 0) Assert.Equal(rows[i - 1][0] + 1_000_000_000, r[0]);
            Assert.Equal(5, r[L2Columns.BidCount]);
            Assert.Equal(5, r[L2Columns.AskCount]);
            Assert.True(r[L2Columns.BidPrice(0)] < r[L2Columns.AskPrice(5, 0)]);
            for (int l = 1; l < 5; l++)
            {
                Assert.True(r[L2Columns.BidPrice(l)] < r[L2Columns.BidPrice(l - 1)]);
                Assert.True(r[L2Columns.AskPrice(5, l)] > r[L2Columns.AskPrice(5, l - 1)]);
            }
        }
    }

    [Fact]
    public void StatusMarksTheSync()
    {
        var kinds = new List<long>();
        foreach (var file in DataRoot.FindSegments(_r.Root, SchemaKind.Status))
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            while (c.MoveNext()) kinds.Add(c[StatusColumns.Kind]);
        }
        Assert.Equal([(long)StatusKind.Resync], kinds);
    }
}
