using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

public class ReplayCommandTests
{
    private const long T0 = 1723161600_000_000_000; // 2024-08-09T00:00:00Z
    private const long Sec = 1_000_000_000;

    /// <summary>
    /// A book whose bids always outweigh its asks 10:1 (a BUY SIGNAL whenever it is in sync), with a stored
    /// sequence gap at 3 s and the next snapshot at 6 s: updates in between are in the file but the book is out of sync.
    /// </summary>
    private static void WriteBookWithAGap(string root)
    {
        var deltas = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Deltas));
        var status = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Status));
        long id = 100;
        void Snapshot(long t)
        {
            id++;
            deltas.Append([t, t, id, id, (long)BookSide.Bid, 100_00000000, 10_00000000, (long)(RowFlags.SnapshotBegins | RowFlags.FromSnapshot)]);
            deltas.Append([t, t, id, id, (long)BookSide.Ask, 101_00000000, 1_00000000, (long)(RowFlags.FromSnapshot | RowFlags.LastInMessage)]);
            status.Append([t, t, (long)StatusKind.Resync, id, 0, 0]);
        }
        void Update(long t)
        {
            id++;
            deltas.Append([t, t, id, id, (long)BookSide.Bid, 100_00000000, (10 + id % 3) * 100000000, 0]);
            deltas.Append([t, t, id, id, (long)BookSide.Ask, 101_00000000, 1_00000000, (long)RowFlags.LastInMessage]);
        }
        Snapshot(T0);
        for (int i = 1; i <= 5; i++) Update(T0 + i * Sec / 2);            // 0.5 .. 2.5 s: in sync
        status.Append([T0 + 3 * Sec, T0 + 3 * Sec, (long)StatusKind.SequenceGap, id + 1, id + 5, 0]);
        for (int i = 7; i <= 11; i++) Update(T0 + i * Sec / 2);          // 3.5 .. 5.5 s: out of sync
        Snapshot(T0 + 6 * Sec);
        for (int i = 13; i <= 16; i++) Update(T0 + i * Sec / 2);          // 6.5 .. 8 s: in sync again
        deltas.Dispose();
        status.Dispose();
    }

    [Fact]
    public void NoSignalFiresFromABookOutOfSyncAfterAStoredGap()
    {
        using var dir = new TempDir();
        WriteBookWithAGap(dir.Path);
        var r = CliRunner.Run("replay", "--type", "deltas", "--data", dir.Path, "--test-imbalance");
        Assert.True(r.ExitCode == 0, r.Error);
        var lines = r.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var signals = lines.Where(l => l.Contains("BUY SIGNAL")).ToList();
        // In sync: the first snapshot and 5 updates, the second snapshot and 4 updates.
        Assert.Equal(11, signals.Count);
        foreach (var s in signals)
        {
            var t = DateTime.ParseExact(s[1..s.IndexOf(']')], ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.fff"], System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);
            double offset = (t - new DateTime(2024, 8, 9, 0, 0, 0, DateTimeKind.Utc)).TotalSeconds;
            Assert.False(offset >= 3 && offset < 6, $"a signal at {offset} s, while the book was out of sync");
        }
        Assert.Contains("signals 11 (buy 11, sell 0)", lines[^1]);

        var plain = CliRunner.Run("replay", "--type", "deltas", "--data", dir.Path).Text();
        Assert.Contains("book out of sync (SequenceGap)", plain);
        Assert.Contains("Best bid: 100, Best ask: 101", plain);
    }

    [Fact]
    public void QuietPrintsTheSummaryAndBadArgumentsExitWithTwo()
    {
        using var dir = new TempDir();
        WriteBookWithAGap(dir.Path);
        var q = CliRunner.Run("replay", "--type", "deltas", "--data", dir.Path, "--quiet");
        Assert.Equal(0, q.ExitCode);
        var text = q.Text().Trim();
        Assert.StartsWith("replay: 35 events, span 2024-08-09T00:00:00Z .. 2024-08-09T00:00:08Z", text);
        Assert.Equal(2, CliRunner.Run("replay", "--type", "candles", "--data", dir.Path).ExitCode);
        Assert.Equal(2, CliRunner.Run("replay", "--type", "l2", "--data", dir.Path, "--speed", "fast").ExitCode);
        Assert.Equal(2, CliRunner.Run("replay", "--type", "trades", "--data", dir.Path, "--test-imbalance").ExitCode);
    }

    /// <summary>
    /// The real spot capture recorded, then replayed through the ring (publisher, ring, printer handler) for every
    /// schema and the imbalance test: the lines are exactly those the previous release printed with its own loop
    /// (kept under Golden/replay, the summary line with its wall time left out).
    /// </summary>
    [Theory]
    [InlineData("trades", false, "replay-trades.txt.gz")]
    [InlineData("deltas", false, "replay-deltas.txt.gz")]
    [InlineData("l2", false, "replay-l2.txt.gz")]
    [InlineData("bars", false, "replay-bars.txt.gz")]
    [InlineData("deltas", true, "replay-deltas-imb.txt.gz")]
    [InlineData("l2", true, "replay-l2-imb.txt.gz")]
    public void ReplayOfTheRealSpotCaptureThroughTheRingPrintsTheSameLines(string schema, bool imbalance, string golden)
    {
        var root = SpotRecording.Root;
        var args = new List<string> { "replay", "--schema", schema, "--data", root };
        if (imbalance) args.Add("--test-imbalance");
        var r = CliRunner.Run(args.ToArray());
        Assert.True(r.ExitCode == 0, r.Error);
        var lines = r.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("replay: ", lines[^1]);
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Golden", "replay", golden)), System.IO.Compression.CompressionMode.Decompress);
        var expected = new StreamReader(gz).ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Length, lines.Length - 1);
        for (int i = 0; i < expected.Length; i++) Assert.True(expected[i] == lines[i], $"line {i + 1}: expected\n{expected[i]}\ngot\n{lines[i]}");
    }

    [Fact]
    public void ReplayOfOneSegmentFileReplaysThatFileOnly()
    {
        using var dir = new TempDir();
        WriteBookWithAGap(dir.Path);
        // A second day of trades beside the first: --data FILE replays the one file named, not the whole instrument.
        using (var t = new PartitionedWriter(dir.Path, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Trades)))
        {
            t.Append([T0, T0, 1, 100_00000000, 1_00000000, 1, 0]);
            t.Append([T0 + 86_400 * Sec, T0 + 86_400 * Sec, 2, 100_00000000, 1_00000000, 1, 0]);
        }
        string day1 = Path.Combine(dir.Path, "binance", "BTCUSDT", "trades", "2024-08-09.tks");
        var r = CliRunner.Run("replay", "--schema", "trades", "--data", day1);
        Assert.True(r.ExitCode == 0, r.Error);
        var lines = r.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains("id 1", lines[0]);
        Assert.StartsWith("replay: 1 events", lines[1]);
    }
}

/// <summary>The real Binance spot capture recorded once (through the CLI) for the tests that read it back.</summary>
public static class SpotRecording
{
    private static readonly Lazy<string> Recorded = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "tickengine-spot-" + Guid.NewGuid().ToString("N"));
        var r = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", root, "--quiet");
        if (r.ExitCode != 0) throw new InvalidOperationException("recording the spot capture failed: " + r.Error);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, true); } catch (IOException) { } };
        return root;
    });

    public static string Root => Recorded.Value;
}
