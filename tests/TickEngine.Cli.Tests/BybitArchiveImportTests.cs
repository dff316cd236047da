using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>
/// <c>import bybit-book</c>: a Bybit order-book archive (JSON lines of orderbook messages, here the linear BTCUSDT
/// book messages of the real capture, exactly as the stream and the archive send them) becomes deltas and L2
/// samples; the book rebuilt from the stored deltas equals, after every message, the book an independent reading
/// of the lines builds; every row says its receive time is unknown.
/// </summary>
public class BybitArchiveImportTests
{
    private static List<string> ArchiveLines()
    {
        var lines = new List<string>();
        using var gz = new GZipStream(File.OpenRead(RepoPaths.Fixture("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz")), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var rec = JsonDocument.Parse(line);
            var root = rec.RootElement;
            if (root.GetProperty("t").GetString() != "recv" || root.GetProperty("conn").GetString() != "BYBIT.ws.2") continue;
            string data = root.GetProperty("data").GetString()!;
            if (data.Contains("\"topic\":\"orderbook.200.BTCUSDT\"", StringComparison.Ordinal)) lines.Add(data);
        }
        return lines;
    }

    private static long Fixed(string text)
    {
        Assert.True(FixedDecimal.TryParse(Encoding.ASCII.GetBytes(text), 8, out long v, out _), text);
        return v;
    }

    [Fact]
    public void AnArchiveImportsAsDeltasWhoseBookEqualsTheArchivesAfterEveryMessage()
    {
        using var dir = new TempDir();
        var lines = ArchiveLines();
        Assert.True(lines.Count > 150);
        // Bybit serves the archive zipped: one .data file inside.
        string zip = dir.File("linear/BTCUSDT/2026-08-09_BTCUSDT_ob500.data.zip");
        Directory.CreateDirectory(Path.GetDirectoryName(zip)!);
        using (var z = ZipFile.Open(zip, ZipArchiveMode.Create))
        using (var w = new StreamWriter(z.CreateEntry("2026-08-09_BTCUSDT_ob500.data").Open()))
            foreach (var l in lines) w.Write(l + "\n");

        var r = CliRunner.Run("import", "bybit-book", zip, "--data", dir.File("root"), "--depth", "10"); // the market from the path
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains($"{lines.Count:N0} lines, {lines.Count - 1:N0} deltas applied, 1 snapshots, 0 gaps, 0 malformed", r.Error);

        // The archive's books, read independently, after every message.
        var expected = new List<(SortedDictionary<long, long> Bids, SortedDictionary<long, long> Asks)>();
        var bids = new SortedDictionary<long, long>();
        var asks = new SortedDictionary<long, long>();
        foreach (var l in lines)
        {
            using var doc = JsonDocument.Parse(l);
            var data = doc.RootElement.GetProperty("data");
            if (doc.RootElement.GetProperty("type").GetString() == "snapshot") { bids.Clear(); asks.Clear(); }
            foreach (var (side, book) in new[] { ("b", bids), ("a", asks) })
                foreach (var level in data.GetProperty(side).EnumerateArray())
                {
                    long px = Fixed(level[0].GetString()!), q = Fixed(level[1].GetString()!);
                    if (q == 0) book.Remove(px); else book[px] = q;
                }
            expected.Add((new(bids), new(asks)));
        }

        // The stored deltas, applied the same way.
        string deltas = Assert.Single(Directory.GetFiles(dir.File("root/bybit/BTCUSDT/deltas")));
        bids.Clear(); asks.Clear();
        int message = 0;
        using (var c = new SegmentCursor(SegmentReader.Open(deltas)))
        {
            while (c.MoveNext())
            {
                long flags = c[DeltaColumns.Flags];
                Assert.Equal((long)RowFlags.ReceiveTimeUnknown, flags & (long)RowFlags.ReceiveTimeUnknown);
                Assert.Equal(c[SegmentSchema.ExchangeTime], c[SegmentSchema.ReceiveTime]);
                if ((flags & (long)RowFlags.SnapshotBegins) != 0) { bids.Clear(); asks.Clear(); }
                var book = c[DeltaColumns.Side] == (long)BookSide.Bid ? bids : asks;
                if (c[DeltaColumns.Quantity] == 0) book.Remove(c[DeltaColumns.Price]); else book[c[DeltaColumns.Price]] = c[DeltaColumns.Quantity];
                if ((flags & (long)RowFlags.LastInMessage) == 0) continue;
                Assert.Equal(expected[message].Bids, bids);
                Assert.Equal(expected[message].Asks, asks);
                message++;
            }
        }
        Assert.Equal(lines.Count, message);

        // L2 samples: 10 levels, flagged too, their receive time their own.
        string l2 = Assert.Single(Directory.GetFiles(dir.File("root/bybit/BTCUSDT/l2")));
        using (var c = new SegmentCursor(SegmentReader.Open(l2)))
        {
            Assert.Equal(10, c.Reader.Schema.Depth);
            int samples = 0;
            while (c.MoveNext())
            {
                samples++;
                Assert.Equal((long)RowFlags.ReceiveTimeUnknown, c[L2Columns.Flags]);
                Assert.Equal(c[SegmentSchema.ExchangeTime], c[SegmentSchema.ReceiveTime]);
                Assert.Equal(10, c[L2Columns.BidCount]);
            }
            Assert.True(samples > 30);
        }
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.True(v.ExitCode == 0, v.Out + v.Error);
    }

    [Fact]
    public void ADamagedOrUnplaceableArchiveSaysWhatAndWhere()
    {
        using var dir = new TempDir();
        var lines = ArchiveLines();
        File.WriteAllText(dir.File("a.data"), string.Join("\n", lines.Take(50)) + "\n");
        var noMarket = CliRunner.Run("import", "bybit-book", dir.File("a.data"), "--data", dir.File("root"));
        Assert.Equal(2, noMarket.ExitCode);
        Assert.Contains("--market", noMarket.Error);

        // A delta missing from the archive: a gap, stored as a marker, and the exit code says so.
        File.WriteAllText(dir.File("gap.data"), string.Join("\n", lines.Take(20).Concat(lines.Skip(21).Take(20))) + "\n");
        var gap = CliRunner.Run("import", "bybit-book", dir.File("gap.data"), "--market", "linear", "--data", dir.File("root2"));
        Assert.Equal(1, gap.ExitCode);
        Assert.Contains("1 gaps", gap.Error);

        // A gzip archive cut short: its checksum cannot be verified, so nothing of it is imported; the file is named.
        using (var gz = new GZipStream(File.Create(dir.File("cut.data.gz")), CompressionLevel.Fastest))
        using (var w = new StreamWriter(gz))
            foreach (var l in lines) w.Write(l + "\n");
        var bytes = File.ReadAllBytes(dir.File("cut.data.gz"));
        File.WriteAllBytes(dir.File("cut.data.gz"), bytes[..(bytes.Length / 2)]);
        var cut = CliRunner.Run("import", "bybit-book", dir.File("cut.data.gz"), "--market", "linear", "--data", dir.File("root3"));
        Assert.Equal(1, cut.ExitCode);
        Assert.Contains("cut.data.gz: the archive is damaged", cut.Error);
        Assert.Contains("nothing was imported", cut.Error);
        Assert.False(Directory.Exists(dir.File("root3/bybit/BTCUSDT/deltas")));
    }
}
