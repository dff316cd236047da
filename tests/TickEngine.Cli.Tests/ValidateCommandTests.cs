using System.Text.Json;
using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

public class ValidateCommandTests
{
    private const long T0 = 1723161600_000_000_000;
    private const long Ms = 1_000_000;

    [Fact]
    public void CleanRealTradesPassAndTheExitCodeGatesAPipeline()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.csv"), FixtureCsv.TradesCsv(FixtureCsv.BinanceSpotTrades()));
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("in.csv"), "--schema", "trades", "--exchange", "binance", "--out", dir.File("root"), "--quiet").ExitCode);
        // The capture has one pause of 2.014 s between trades: a problem at the default 2 s, none at 3 s.
        var strict = CliRunner.Run("validate", dir.File("root"));
        Assert.Equal(1, strict.ExitCode);
        Assert.Contains("time gap 1", strict.Out);
        var relaxed = CliRunner.Run("validate", dir.File("root"), "--max-gap", "3s");
        Assert.True(relaxed.ExitCode == 0, relaxed.Out);
        Assert.Contains("no problems", relaxed.Out);
    }

    [Fact]
    public void EveryPlantedProblemIsFoundAndNamed()
    {
        using var dir = new TempDir();
        string root = dir.Path;
        using (var t = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Trades)))
        {
            t.Append([T0, T0 + 5 * Ms, 100, 10_00000000, 1_00000000, 1, 0]);
            t.Append([T0 + Ms, T0 + 6 * Ms, 101, 10_00000000, 1_00000000, 1, 0]);
            t.Append([T0 + 2 * Ms, T0 + 7 * Ms, 105, 10_00000000, 1_00000000, 1, 0]);   // ids 102..104 missing
            t.Append([T0 + 3 * Ms, T0 + 8 * Ms, 105, 0, 1_00000000, 2, 0]);              // duplicate id, zero price
            t.Append([T0 + 2 * Ms, T0 + 9 * Ms, 106, 10_00000000, 1_00000000, 2, 0]);    // time goes back
            t.Append([T0 + 9000 * Ms, T0 + 9001 * Ms, 107, 10_00000000, 1_00000000, 2, 0]); // a 9 s gap
        }
        using (var l2 = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.L2, 1)))
            l2.Append([T0, T0, 1, 1, 1, 0, 101_00000000, 1_00000000, 100_00000000, 1_00000000]); // bid 101 >= ask 100
        using (var d = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Deltas)))
        {
            d.Append([T0, T0, 10, 10, 1, 100_00000000, 1_00000000, (long)(RowFlags.SnapshotBegins | RowFlags.FromSnapshot | RowFlags.LastInMessage)]);
            d.Append([T0 + Ms, T0 + Ms, 9, 11, 1, 100_00000000, 2_00000000, (long)RowFlags.LastInMessage]);
            d.Append([T0 + 2 * Ms, T0 + 2 * Ms, 12, 12, 1, 100_00000000, 3_00000000, (long)RowFlags.LastInMessage]);
            d.Append([T0 + 3 * Ms, T0 + 3 * Ms, 20, 21, 2, 101_00000000, 3_00000000, (long)RowFlags.LastInMessage]); // 13..19 missing
        }
        using (var b = new PartitionedWriter(root, "binance", "BTCUSDT", SegmentSchema.Create(SchemaKind.Bars)))
        {
            // A 1m bar whose low is above its open, and which disagrees with the trades above.
            b.Append([T0, T0 + 60_000 * Ms, 60_000_000_000, 10_00000000, 12_00000000, 11_00000000, 10_00000000, 5_00000000, 6_00000000, 5, 100, 107, 0]);
        }
        var r = CliRunner.Run("validate", root, "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = JsonDocument.Parse(r.Out);
        var problems = doc.RootElement.GetProperty("series").EnumerateArray()
            .SelectMany(s => s.GetProperty("problems").EnumerateObject().Select(p => (Schema: s.GetProperty("schema").GetString(), Kind: p.Name, Count: p.Value.GetInt64())))
            .ToList();
        void Has(string schema, string kind) => Assert.Contains(problems, p => p.Schema == schema && p.Kind == kind && p.Count > 0);
        Has("trades", "trade id gap");
        Has("trades", "trade id duplicate or out of order");
        Has("trades", "zero or negative price or quantity");
        Has("trades", "exchange time out of order");
        Has("trades", "time gap");
        Has("l2", "crossed book");
        Has("deltas", "update id gap");
        Has("bars", "OHLC out of order");
        Has("bars", "volume");
        Has("bars", "bar disagrees with its trades");
        Assert.True(doc.RootElement.GetProperty("problems").GetInt64() >= 10);
    }

    [Fact]
    public void ADamagedSegmentIsReportedWithItsOffset()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.csv"), FixtureCsv.TradesCsv(FixtureCsv.BinanceSpotTrades().Where(t => t.TimeMs < 1723161600000)));
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("in.csv"), "--schema", "trades", "--exchange", "binance", "--out", dir.File("root"), "--quiet").ExitCode);
        string seg = Storage.Layout.DataRoot.FindSegments(dir.File("root")).Single();
        var bytes = File.ReadAllBytes(seg);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(seg, bytes);
        var r = CliRunner.Run("validate", seg, "--max-gap", "1m");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("checksum or structure", r.Out);
        Assert.Contains("byte offset", r.Out);
    }

    [Fact]
    public void ARecordingFromTheSimulatorValidatesClean()
    {
        // The main job's recording (books, trades, bars, markers: connects carry our clock, resyncs the
        // exchange's) has nothing for validate to find.
        using var dir = new TempDir();
        var rec = CliRunner.Run("record", "--exchange", "sim", "--duration", "4", "--out", dir.File("root"), "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        var v = CliRunner.Run("validate", dir.File("root"));
        Assert.True(v.ExitCode == 0, v.Out + v.Error);
        Assert.Contains("no problems", v.Out + v.Error);
    }
}
