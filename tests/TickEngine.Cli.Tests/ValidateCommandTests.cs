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
    public void CleanRealTradesPassAQuietSpellIsAnObservationAndStrictFailsOnIt()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.csv"), FixtureCsv.TradesCsv(FixtureCsv.BinanceSpotTrades()));
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("in.csv"), "--schema", "trades", "--exchange", "binance", "--data", dir.File("root"), "--quiet").ExitCode);
        // The capture has one pause of 2.014 s between trades whose ids are contiguous: a quiet market, not a defect.
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.True(v.ExitCode == 0, v.Out);
        Assert.Contains("no problems", v.Out);
        Assert.Contains("observed: time gap 1", v.Out);
        var strict = CliRunner.Run("validate", "--data", dir.File("root"), "--strict");
        Assert.Equal(1, strict.ExitCode);
        var relaxed = CliRunner.Run("validate", "--data", dir.File("root"), "--max-gap", "3s", "--strict");
        Assert.True(relaxed.ExitCode == 0, relaxed.Out);
        Assert.Contains("0 observations", relaxed.Out);
    }

    /// <summary>A clean little recording: trades 100..103 a millisecond apart, a one-level book, a snapshot and two diffs, and the 1m bar of the trades.</summary>
    private static void WriteClean(string root, Action<List<long[]>, List<long[]>, List<long[]>, List<long[]>, List<long[]>>? plant = null)
    {
        var trades = new List<long[]>();
        for (int i = 0; i < 4; i++) trades.Add([T0 + i * Ms, T0 + i * Ms + 5 * Ms, 100 + i, 10_00000000, 1_00000000, 1, 0]);
        var l2 = new List<long[]> { new long[] { T0, T0 + Ms, 1, 1, 1, 0, 99_00000000, 1_00000000, 100_00000000, 1_00000000 } };
        var deltas = new List<long[]>
        {
            new long[] { T0, T0 + Ms, 10, 10, 1, 99_00000000, 1_00000000, (long)(RowFlags.SnapshotBegins | RowFlags.FromSnapshot) },
            new long[] { T0, T0 + Ms, 10, 10, 2, 100_00000000, 1_00000000, (long)(RowFlags.FromSnapshot | RowFlags.LastInMessage) },
            new long[] { T0 + Ms, T0 + 2 * Ms, 9, 11, 1, 99_00000000, 2_00000000, (long)RowFlags.LastInMessage },
            new long[] { T0 + 2 * Ms, T0 + 3 * Ms, 12, 12, 1, 99_00000000, 3_00000000, (long)RowFlags.LastInMessage },
        };
        var bars = new List<long[]> { new long[] { T0, T0 + 60_000 * Ms, 60_000_000_000, 10_00000000, 10_00000000, 10_00000000, 10_00000000, 4_00000000, 4_00000000, 4, 100, 103, 0 } };
        var status = new List<long[]> { new long[] { T0, T0, (long)StatusKind.Resync, 10, 0, 0 } };
        plant?.Invoke(trades, l2, deltas, bars, status);
        void Write(SegmentSchema schema, List<long[]> rows)
        {
            using var w = new PartitionedWriter(root, "binance", "BTCUSDT", schema);
            foreach (var row in rows) w.Append(row);
        }
        Write(SegmentSchema.Create(SchemaKind.Trades), trades);
        Write(SegmentSchema.Create(SchemaKind.L2, 1), l2);
        Write(SegmentSchema.Create(SchemaKind.Deltas), deltas);
        Write(SegmentSchema.Create(SchemaKind.Bars), bars);
        Write(SegmentSchema.Create(SchemaKind.Status), status);
    }

    /// <summary>
    /// The real spot capture recorded in every schema: no problem (exit 0). Its quiet spell of 2.014 s (trade ids
    /// contiguous around it) and its receive clock running 1.27 s behind the exchange's are observations.
    /// </summary>
    [Fact]
    public void TheCleanRealSpotRecordingValidates()
    {
        var v = CliRunner.Run("validate", "--data", SpotRecording.Root);
        Assert.True(v.ExitCode == 0, v.Out);
        Assert.Contains("no problems", v.Out);
        Assert.Contains("time gap 1", v.Out);
        Assert.Contains("clock skew", v.Out);
    }

    [Fact]
    public void TheCleanBaselineValidates()
    {
        using var dir = new TempDir();
        WriteClean(dir.Path);
        var r = CliRunner.Run("validate", "--data", dir.Path, "--strict");
        Assert.True(r.ExitCode == 0, r.Out);
    }

    public static TheoryData<string, string, string> Planted => new()
    {
        { "ids 102 missing", "trades", "trade id gap" },
        { "a duplicate id", "trades", "trade id duplicate or out of order" },
        { "a zero price", "trades", "zero or negative price or quantity" },
        { "time going back", "trades", "exchange time out of order" },
        { "a trade a day ahead of its receive time", "trades", "exchange time far from receive time" },
        { "a crossed L2 book", "l2", "crossed book" },
        { "update ids 13..19 missing", "deltas", "update id gap" },
        { "a bar whose low is above its open", "bars", "OHLC out of order" },
        { "a bar with more buy volume than volume", "bars", "volume" },
        { "a bar that disagrees with its trades", "bars", "bar disagrees with its trades" },
    };

    [Theory]
    [MemberData(nameof(Planted))]
    public void EachPlantedProblemFailsValidationAndIsNamed(string planted, string schema, string kind)
    {
        using var dir = new TempDir();
        WriteClean(dir.Path, (trades, l2, deltas, bars, status) =>
        {
            switch (planted)
            {
                case "ids 102 missing": trades.RemoveAt(2); bars[0][BarColumns.Volume] = bars[0][BarColumns.BuyVolume] = 3_00000000; bars[0][BarColumns.TradeCount] = 3; break;
                case "a duplicate id": trades[3][TradeColumns.TradeId] = 102; break;
                case "a zero price": trades[3][TradeColumns.Price] = 0; bars[0][BarColumns.Close] = 0; break;
                case "time going back": trades[3][TradeColumns.ExchangeTime] = T0; break;
                case "a trade a day ahead of its receive time": trades.Add([T0 + 86_400_000 * Ms, T0 + 4 * Ms + 5 * Ms, 104, 10_00000000, 1_00000000, 1, 0]); break;
                case "a crossed L2 book": l2[0][L2Columns.BidPrice(0)] = 101_00000000; break;
                case "update ids 13..19 missing": deltas.Add([T0 + 3 * Ms, T0 + 4 * Ms, 20, 21, 2, 101_00000000, 3_00000000, (long)RowFlags.LastInMessage]); break;
                case "a bar whose low is above its open": bars[0][BarColumns.Low] = 11_00000000; break;
                case "a bar with more buy volume than volume": bars[0][BarColumns.BuyVolume] = 5_00000000; break;
                case "a bar that disagrees with its trades": bars[0][BarColumns.Volume] = 5_00000000; bars[0][BarColumns.BuyVolume] = 5_00000000; break;
            }
        });
        var r = CliRunner.Run("validate", "--data", dir.Path, "--json");
        Assert.True(r.ExitCode == 1, $"{planted}: exit {r.ExitCode}\n{r.Out}");
        using var doc = JsonDocument.Parse(r.Out);
        var problems = doc.RootElement.GetProperty("series").EnumerateArray()
            .SelectMany(s => s.GetProperty("problems").EnumerateObject().Select(p => (Schema: s.GetProperty("schema").GetString(), Kind: p.Name, Count: p.Value.GetInt64())))
            .ToList();
        Assert.Contains(problems, p => p.Schema == schema && p.Kind == kind && p.Count > 0);
    }

    [Fact]
    public void ADamagedSegmentIsReportedWithItsOffset()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("in.csv"), FixtureCsv.TradesCsv(FixtureCsv.BinanceSpotTrades().Where(t => t.TimeMs < 1723161600000)));
        Assert.Equal(0, CliRunner.Run("import", "csv", dir.File("in.csv"), "--schema", "trades", "--exchange", "binance", "--data", dir.File("root"), "--quiet").ExitCode);
        string seg = Storage.Layout.DataRoot.FindSegments(dir.File("root")).Single();
        var bytes = File.ReadAllBytes(seg);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(seg, bytes);
        var r = CliRunner.Run("validate", "--data", seg, "--max-gap", "1m");
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
        var rec = CliRunner.Run("record", "--exchange", "sim", "--duration", "4", "--data", dir.File("root"), "--quiet");
        Assert.True(rec.ExitCode == 0, rec.Error);
        var v = CliRunner.Run("validate", "--data", dir.File("root"));
        Assert.True(v.ExitCode == 0, v.Out + v.Error);
        Assert.Contains("no problems", v.Out + v.Error);
    }
}
