using System.Text;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Pipeline;

/// <summary>Every kind of bad frame, in the real stream: counted by kind with a sample kept, and the run goes on.</summary>
public class BadFrameTests(ITestOutputHelper output)
{
    [Fact]
    public void BadFramesAreCountedByKindAndTheRunGoesOn()
    {
        using var dir = new TempDir();
        var good = CaptureLines.BinanceSpot();
        long ns = good[0].Ns;
        var bad = new (string Frame, string Kind)[]
        {
            ("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":1", "not valid JSON"),                                 // truncated
            ("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":\"x\",\"p\":1,\"q\":true,\"T\":1}}", "trade without s, t, p, q or T"), // wrong types
            ("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":5,\"p\":\"123456789012345678901234567890\",\"q\":\"1\",\"T\":1}}", "trade price or quantity not exact at the instrument's scale"), // too many digits
            ("{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":6,\"p\":\"1.000000001\",\"q\":\"1\",\"T\":1}}", "trade price or quantity not exact at the instrument's scale"), // too many decimals
            ("{\"stream\":\"btcusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":" + ns / 1_000_000 + ",\"s\":\"BTCUSDT\",\"U\":1,\"u\":2,\"b\":[[]],\"a\":[]}}", "depth levels missing, not exact, or before the symbol"), // empty level
            ("[1,2,3]", "not a JSON object"),
            ("\u0001\u0002 binary", "not valid JSON"),
        };
        var lines = new List<byte[]>();
        foreach (var (n, f) in good.Take(3000)) lines.Add(Encoding.UTF8.GetBytes($"{n} {f}"));
        foreach (var (frame, _) in bad) lines.Insert(1500, Encoding.UTF8.GetBytes($"{ns} {frame}"));
        // Invalid UTF-8 inside a string, and an unknown event type (counted apart, not malformed).
        lines.Insert(1600, [.. Encoding.UTF8.GetBytes($"{ns} {{\"stream\":\"btcusdt@trade\",\"data\":{{\"e\":\"trade\",\"s\":\"BTC"), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\",\"t\":7}}")]);
        lines.Insert(1700, Encoding.UTF8.GetBytes($"{ns} {{\"stream\":\"btcusdt@kline_1m\",\"data\":{{\"e\":\"kline\"}}}}"));
        using (var f = File.Create(dir.File("bad.txt")))
            foreach (var l in lines) { f.Write(l); f.WriteByte((byte)'\n'); }
        var (_, s) = RecordRun.Run(dir.File("bad.txt"), dir.File("root"));
        foreach (var r in s.Ingest.MalformedByReason.Select(kv => $"{kv.Key}: {kv.Value}")) output.WriteLine(r);
        Assert.Equal(8L, s.Ingest.Malformed);
        Assert.Equal(1L, s.Ingest.Unknown);
        var byReason = s.Ingest.MalformedByReason.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var kind in bad.Select(b => b.Kind).Distinct()) Assert.True(byReason.ContainsKey(kind), $"no count for '{kind}'");
        Assert.Equal(8, s.Ingest.MalformedSamples.Count);
        // Bytes that are not a symbol never became an instrument.
        Assert.Equal(["binance/BTCUSDT"], s.Instruments);
        // The good frames around them were all taken: the sync and the trades carried on.
        Assert.Equal(0L, s.Ingest.Gaps);
        Assert.True(s.Rows(TickEngine.Storage.Format.SchemaKind.Trades) > 500);
        Assert.True(s.Ingest.DiffsApplied > 100);
    }
}
