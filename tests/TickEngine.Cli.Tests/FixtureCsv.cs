using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TickEngine.Tests.Shared;

namespace TickEngine.Cli.Tests;

/// <summary>Builds CSV inputs from the real Binance capture, independently of the engine's parsers.</summary>
public static class FixtureCsv
{
    public record Trade(long TimeMs, long RecvNs, long Id, string Price, string Qty, bool BuyerMaker);

    public static List<Trade> BinanceSpotTrades()
    {
        var list = new List<Trade>();
        using var gz = new GZipStream(File.OpenRead(RepoPaths.BinanceSpotCapture), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int sp = line.IndexOf(' ');
            using var doc = JsonDocument.Parse(line.AsMemory(sp + 1));
            if (!doc.RootElement.TryGetProperty("stream", out var s) || !s.GetString()!.EndsWith("@trade", StringComparison.Ordinal)) continue;
            var d = doc.RootElement.GetProperty("data");
            list.Add(new Trade(d.GetProperty("T").GetInt64(), long.Parse(line.AsSpan(0, sp)), d.GetProperty("t").GetInt64(),
                d.GetProperty("p").GetString()!, d.GetProperty("q").GetString()!, d.GetProperty("m").GetBoolean()));
        }
        return list;
    }

    public static string TradesCsv(IEnumerable<Trade> trades)
    {
        var sb = new StringBuilder("timestamp,symbol,price,quantity,side\n");
        foreach (var t in trades) sb.Append($"{t.TimeMs},BTCUSDT,{t.Price},{t.Qty},{(t.BuyerMaker ? "sell" : "buy")}\n");
        return sb.ToString();
    }
}
