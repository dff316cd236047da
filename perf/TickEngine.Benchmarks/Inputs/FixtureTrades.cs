using System.IO.Compression;
using System.Text.Json;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Benchmarks.Inputs;

/// <summary>
/// Trade rows from the real Binance spot capture (../shared/fixtures), and a synthetic series of any length
/// built from them by block bootstrap: runs of 256 consecutive real (time, receive-time, price) steps with their
/// real quantities and sides, so bursts, tick moves and quantity mix keep the capture's statistics.
/// </summary>
public static class FixtureTrades
{
    public static string FixturesFolder
    {
        get
        {
            if (Environment.GetEnvironmentVariable("TICKENGINE_FIXTURES") is { Length: > 0 } fromEnv) return fromEnv;
            var d = new DirectoryInfo(AppContext.BaseDirectory);
            while (d is not null && !File.Exists(Path.Combine(d.FullName, "TickEngine.sln"))) d = d.Parent;
            if (d is null) throw new InvalidOperationException("run the benchmarks from inside the TickEngine repository");
            return Path.GetFullPath(Path.Combine(d.FullName, "..", "shared", "fixtures"));
        }
    }

    public static string BinanceSpotCapture => Path.Combine(FixturesFolder, "binance", "hftbacktest_spot_btcusdt_20240808.gz");

    /// <summary>The 9,757 real trades as storage rows (exchange time = trade time T, receive time = capture time).</summary>
    public static long[][] Real()
    {
        var rows = new List<long[]>();
        using var gz = new GZipStream(File.OpenRead(BinanceSpotCapture), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int sp = line.IndexOf(' ');
            if (!line.AsSpan(sp, Math.Min(40, line.Length - sp)).Contains("@trade", StringComparison.Ordinal)) continue;
            using var doc = JsonDocument.Parse(line.AsMemory(sp + 1));
            var d = doc.RootElement.GetProperty("data");
            FixedDecimal.TryParse(d.GetProperty("p").GetString().AsSpan(), 8, out long px, out _);
            FixedDecimal.TryParse(d.GetProperty("q").GetString().AsSpan(), 8, out long qty, out _);
            rows.Add([d.GetProperty("T").GetInt64() * 1_000_000, long.Parse(line.AsSpan(0, sp)), d.GetProperty("t").GetInt64(), px, qty,
                d.GetProperty("m").GetBoolean() ? (long)TradeSide.Sell : (long)TradeSide.Buy, 0]);
        }
        return rows.ToArray();
    }

    /// <summary>A synthetic series of <paramref name="count"/> trades with the real capture's statistics.</summary>
    public static IEnumerable<long[]> Synthetic(long count, int seed = 1)
    {
        var real = Real();
        var rng = new Random(seed);
        long t = real[0][0], recv = real[0][1], id = real[0][2], px = real[0][3];
        var row = new long[TradeColumns.Count];
        long produced = 0;
        while (produced < count)
        {
            int start = rng.Next(1, real.Length - 256);
            for (int k = start; k < start + 256 && produced < count; k++, produced++)
            {
                t += real[k][0] - real[k - 1][0];
                recv += Math.Max(0, real[k][1] - real[k - 1][1]);
                px += real[k][3] - real[k - 1][3];
                row[0] = t; row[1] = recv; row[2] = ++id; row[3] = px; row[4] = real[k][4]; row[5] = real[k][5]; row[6] = 0;
                yield return row;
            }
        }
    }

    /// <summary>Rows as a column-friendly array of structs for the baselines.</summary>
    public static TradeStruct[] AsStructs(IEnumerable<long[]> rows) =>
        rows.Select(r => new TradeStruct { ExchangeTime = r[0], ReceiveTime = r[1], TradeId = r[2], Price = r[3], Quantity = r[4], Side = (byte)r[5], Flags = (byte)r[6] }).ToArray();
}

/// <summary>A plain row struct, as a program without a columnar format would store it.</summary>
public struct TradeStruct
{
    public long ExchangeTime;
    public long ReceiveTime;
    public long TradeId;
    public long Price;
    public long Quantity;
    public byte Side;
    public byte Flags;
}

/// <summary>The CsvHelper baseline's record: decimals as text would be read back with <c>decimal</c>.</summary>
public sealed class TradeRecord
{
    public long Timestamp { get; set; }
    public long ReceiveTime { get; set; }
    public long TradeId { get; set; }
    public decimal Price { get; set; }
    public decimal Quantity { get; set; }
    public string Side { get; set; } = "";
}
