using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Pipeline;

/// <summary>
/// Faults injected into the real Binance stream: a duplicate frame, two frames out of order, a skipped update
/// id and a crossed update, each followed (where the book must resync) by a fresh REST snapshot built here from an
/// independent book. Checks the gap and invalid-book markers, the resyncs, and that every L2 sample equals the
/// independently rebuilt book at its boundary (so none came from a bad book).
/// </summary>
public class FaultInjectionTests(ITestOutputHelper output)
{
    private sealed record Diff(int Line, long U, long LastU, long E, List<(bool Bid, string P, string Q)> Levels);

    private sealed class ModelBook
    {
        public readonly SortedDictionary<decimal, string> Bids = new(Comparer<decimal>.Create((a, b) => b.CompareTo(a)));
        public readonly SortedDictionary<decimal, string> Asks = new();
        public readonly Dictionary<decimal, string> BidText = new(), AskText = new();
        public long Id;

        public void Set(bool bid, string p, string q)
        {
            decimal price = decimal.Parse(p, CultureInfo.InvariantCulture), qty = decimal.Parse(q, CultureInfo.InvariantCulture);
            var side = bid ? Bids : Asks;
            var text = bid ? BidText : AskText;
            if (qty == 0) { side.Remove(price); text.Remove(price); }
            else { side[price] = q; text[price] = p; }
        }

        public string SnapshotJson()
        {
            var o = new JsonObject
            {
                ["lastUpdateId"] = Id,
                ["bids"] = new JsonArray(Bids.Select(kv => (JsonNode)new JsonArray(BidText[kv.Key], kv.Value)).ToArray()),
                ["asks"] = new JsonArray(Asks.Select(kv => (JsonNode)new JsonArray(AskText[kv.Key], kv.Value)).ToArray()),
            };
            return o.ToJsonString();
        }

        public decimal[] Top(bool bid, int n) => (bid ? Bids : Asks).Take(n).SelectMany(kv => new[] { kv.Key, decimal.Parse(kv.Value, CultureInfo.InvariantCulture) }).ToArray();
    }

    [Fact]
    public void GapsResyncsAndNoSampleFromABadBook()
    {
        var original = CaptureLines.BinanceSpot();
        int snapshotLine = original.FindIndex(l => l.Frame.StartsWith("{\"lastUpdateId\"", StringComparison.Ordinal));
        using (var doc = JsonDocument.Parse(original[snapshotLine].Frame)) { }
        var diffs = new List<Diff>();
        for (int i = 0; i < original.Count; i++)
        {
            if (!original[i].Frame.Contains("@depth@100ms", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(original[i].Frame);
            var d = doc.RootElement.GetProperty("data");
            var levels = new List<(bool, string, string)>();
            foreach (var b in d.GetProperty("b").EnumerateArray()) levels.Add((true, b[0].GetString()!, b[1].GetString()!));
            foreach (var a in d.GetProperty("a").EnumerateArray()) levels.Add((false, a[0].GetString()!, a[1].GetString()!));
            diffs.Add(new Diff(i, d.GetProperty("U").GetInt64(), d.GetProperty("u").GetInt64(), d.GetProperty("E").GetInt64() * 1_000_000, levels));
        }
        // The true book, from the real snapshot and the real diffs, after each diff (by index), and at each boundary.
        var book = new ModelBook();
        using (var snap = JsonDocument.Parse(original[snapshotLine].Frame))
        {
            book.Id = snap.RootElement.GetProperty("lastUpdateId").GetInt64();
            foreach (var b in snap.RootElement.GetProperty("bids").EnumerateArray()) book.Set(true, b[0].GetString()!, b[1].GetString()!);
            foreach (var a in snap.RootElement.GetProperty("asks").EnumerateArray()) book.Set(false, a[0].GetString()!, a[1].GetString()!);
        }
        var applied = diffs.Where(d => d.LastU > book.Id).ToList(); // what the true sync applies
        int dup = 500, swap = 1000, resync1 = 1100, drop = 1600, resync2 = 1700, crossed = 2300, resync3 = 2400;
        var snapshotAfter = new Dictionary<int, string>();
        var truthAt = new SortedDictionary<long, (decimal[] Bids, decimal[] Asks, long Id)>();
        long nextBoundary = -1;
        string? crossedFrame = null;
        for (int k = 0; k < applied.Count; k++)
        {
            var d = applied[k];
            if (nextBoundary < 0) nextBoundary = d.E - d.E % 1_000_000_000 + 1_000_000_000;
            while (d.E >= nextBoundary)
            {
                truthAt[nextBoundary] = (book.Top(true, 5), book.Top(false, 5), book.Id);
                nextBoundary += 1_000_000_000;
            }
            foreach (var (bid, p, q) in d.Levels) book.Set(bid, p, q);
            book.Id = d.LastU;
            if (k == resync1 || k == resync2 || k == resync3) snapshotAfter[d.Line] = book.SnapshotJson();
            if (k == crossed)
            {
                // Add a bid a whole 1.00 above the best ask this diff leaves: the book crosses.
                decimal bestAsk = book.Asks.First().Key;
                var node = JsonNode.Parse(original[d.Line].Frame)!;
                ((JsonArray)node["data"]!["b"]!).Add(new JsonArray((bestAsk + 1m).ToString("0.00000000", CultureInfo.InvariantCulture), "1.00000000"));
                crossedFrame = node.ToJsonString();
            }
        }
        // The faulty stream.
        var lines = new List<(long Ns, string Frame)>();
        for (int i = 0; i < original.Count; i++)
        {
            var line = original[i];
            if (i == applied[drop].Line) continue;
            if (i == applied[swap].Line) { lines.Add(original[applied[swap + 1].Line]); lines.Add(line); continue; }
            if (i == applied[swap + 1].Line) continue;
            lines.Add(i == applied[crossed].Line ? (line.Ns, crossedFrame!) : line);
            if (i == applied[dup].Line) lines.Add(line);
            if (snapshotAfter.TryGetValue(i, out var snapshot)) lines.Add((line.Ns + 1, snapshot));
        }
        using var dir = new TempDir();
        CaptureLines.Write(dir.File("faulty.txt"), lines);
        var (_, s) = RecordRun.Run(dir.File("faulty.txt"), dir.File("root"));
        output.WriteLine(s.ToJsonText());

        Assert.Equal(2L, s.Ingest.Gaps);
        Assert.Equal(1L, s.Ingest.Crossed);
        Assert.Equal(3L, s.Ingest.Resyncs);
        Assert.Equal(4L, s.Ingest.Syncs);
        Assert.Equal(0L, s.Ingest.BookTickerMismatched);
        Assert.True(s.Ingest.DiffsStale >= 3); // the two the first snapshot covers, and the duplicate

        var status = Read(dir.File("root"), SchemaKind.Status).Select(r => ((StatusKind)r[StatusColumns.Kind], r[StatusColumns.A], r[StatusColumns.B])).ToList();
        Assert.Equal(
        [
            (StatusKind.Resync, 50093239218L, 0L),
            (StatusKind.SequenceGap, applied[swap].U, applied[swap + 1].U),
            (StatusKind.Resync, applied[resync1].LastU, 0),
            (StatusKind.SequenceGap, applied[drop].U, applied[drop + 1].U),
            (StatusKind.Resync, applied[resync2].LastU, 0),
            (StatusKind.BookInvalid, applied[crossed].LastU, 0),
            (StatusKind.Resync, applied[resync3].LastU, 0),
        ], status);

        // Every sample equals the true book at its boundary; boundaries inside the bad windows have none.
        var samples = Read(dir.File("root"), SchemaKind.L2);
        Assert.True(s.L2SkippedBoundaries!.Value > 0);
        Assert.True(samples.Count < truthAt.Count);
        long[] badFrom = [applied[swap].E, applied[drop].E, applied[crossed].E];
        long[] badTo = [applied[resync1 + 1].E, applied[resync2 + 1].E, applied[resync3 + 1].E];
        foreach (var r in samples)
        {
            long b = r[0];
            Assert.True(truthAt.TryGetValue(b, out var truth), $"sample at {b} has no boundary in the true stream");
            for (int w = 0; w < badFrom.Length; w++)
                Assert.False(b > badFrom[w] && b <= badTo[w] - badTo[w] % 1_000_000_000, $"sample at {b} inside bad window {w}");
            for (int l = 0; l < 5; l++)
            {
                Assert.Equal(truth.Bids[2 * l], r[L2Columns.BidPrice(l)] / 1e8m);
                Assert.Equal(truth.Bids[2 * l + 1], r[L2Columns.BidPrice(l) + 1] / 1e8m);
                Assert.Equal(truth.Asks[2 * l], r[L2Columns.AskPrice(5, l)] / 1e8m);
                Assert.Equal(truth.Asks[2 * l + 1], r[L2Columns.AskPrice(5, l) + 1] / 1e8m);
            }
            Assert.Equal(truth.Id, r[L2Columns.UpdateId]);
        }
        output.WriteLine($"samples {samples.Count} of {truthAt.Count} boundaries");
    }

    private static List<long[]> Read(string root, SchemaKind kind)
    {
        var rows = new List<long[]>();
        foreach (var file in DataRoot.FindSegments(root, kind))
        {
            using var c = new SegmentCursor(SegmentReader.Open(file));
            while (c.MoveNext()) rows.Add(Enumerable.Range(0, c.Reader.Schema.ColumnCount).Select(k => c[k]).ToArray());
        }
        return rows;
    }
}
