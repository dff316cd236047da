using System.IO.Compression;
using System.Text.Json;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Pipeline;

public class CaptureFormatTests
{
    [Fact]
    public void CryptofeedJsonLinesGiveTheSameResultAsTimestampedLines()
    {
        using var dir = new TempDir();
        var lines = CaptureLines.BinanceSpot();
        // The same frames in the cryptofeed layout: "recv" records with epoch-second timestamps, the REST body as "http".
        using (var gz = new GZipStream(File.Create(dir.File("capture.jsonl.gz")), CompressionLevel.Fastest))
        using (var w = new StreamWriter(gz))
        {
            w.WriteLine("{\"t\":\"header\",\"exchange\":\"BINANCE\"}");
            foreach (var (ns, frame) in lines)
            {
                string ts = $"{ns / 1_000_000_000}.{ns % 1_000_000_000:D9}";
                bool rest = frame.StartsWith("{\"lastUpdateId\"", StringComparison.Ordinal);
                w.WriteLine(rest
                    ? $"{{\"t\":\"http\",\"ts\":{ts},\"url\":\"https://api.binance.com/api/v3/depth?symbol=BTCUSDT&limit=1000\",\"data\":{JsonSerializer.Serialize(frame)}}}"
                    : $"{{\"t\":\"recv\",\"conn\":\"1\",\"ts\":{ts},\"data\":{JsonSerializer.Serialize(frame)}}}");
            }
        }
        var (_, a) = RecordRun.Run(RepoPaths.BinanceSpotCapture, dir.File("a"));
        var (_, b) = RecordRun.Run(dir.File("capture.jsonl.gz"), dir.File("b"));
        foreach (var key in new[] { "frames", "malformed", "diffs_applied", "gaps", "book_ticker_matched", "crossed", "rows_trades", "rows_l2", "rows_bars", "rows_deltas", "bytes_trades", "bytes_deltas" })
            Assert.True(a.ToJson()[key]!.ToJsonString() == b.ToJson()[key]!.ToJsonString(), $"{key}: {a.ToJson()[key]} vs {b.ToJson()[key]}");
        foreach (var kind in new[] { SchemaKind.Trades, SchemaKind.Deltas, SchemaKind.L2, SchemaKind.Bars })
        {
            var fa = DataRoot.FindSegments(dir.File("a"), kind);
            var fb = DataRoot.FindSegments(dir.File("b"), kind);
            Assert.Equal(fa.Count, fb.Count);
            for (int i = 0; i < fa.Count; i++)
            {
                // Identical blocks: the bytes after the header (headers differ only in their creation time).
                var ba = File.ReadAllBytes(fa[i]);
                var bb = File.ReadAllBytes(fb[i]);
                int header = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(ba.AsSpan(16));
                Assert.Equal(ba.Length, bb.Length);
                Assert.True(ba.AsSpan(header).SequenceEqual(bb.AsSpan(header)), $"{kind} segment {i} differs");
            }
        }
    }

    [Fact]
    public void MalformedLinesAreCountedAndTheRunGoesOn()
    {
        using var dir = new TempDir();
        var lines = CaptureLines.BinanceSpot().Take(2000).ToList();
        lines.Insert(100, (lines[99].Ns, "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"trade\",\"s\":\"BTCUSDT\",\"t\":1,\"p\":\"1.123456789\",\"q\":\"1\",\"T\":1}}"));
        lines.Insert(200, (lines[199].Ns, "{\"stream\":\"btcusdt@trade\",\"data\":{\"e\":\"tra"));
        lines.Insert(300, (lines[299].Ns, "[1,2,3]"));
        lines.Insert(400, (lines[399].Ns, "{\"stream\":\"btcusdt@kline_1m\",\"data\":{\"e\":\"kline\"}}"));
        CaptureLines.Write(dir.File("c.txt"), lines);
        File.AppendAllText(dir.File("c.txt"), "not-a-timestamp {}\n");
        var (_, s) = RecordRun.Run(dir.File("c.txt"), dir.File("root"));
        Assert.Equal(4L, s.Ingest.Malformed);
        Assert.Equal(1L, s.Ingest.Unknown);
        Assert.Equal(4, s.Ingest.MalformedSamples.Count);
        Assert.True(s.Rows(TickEngine.Storage.Format.SchemaKind.Trades) > 100);
    }
}
