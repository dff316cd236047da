using System.IO.Compression;
using System.Text;
using System.Text.Json;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Venues.Okx;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Venues;

/// <summary>
/// OKX v5 recorded from the real capture through the registry's adapter and the ring: every checksum verified
/// (290 of 290), no gap, every trade exact against an independent reading, the side agreeing with the book; and the
/// faults: a checksum that disagrees, a broken prevSeqId chain, a checksum of 0 (absent), a malformed frame.
/// </summary>
public class OkxAdapterTests
{
    private const string Capture = "okx/cryptofeed_OKX_v5.jsonl.gz";

    [Fact]
    public void TheRealCaptureVerifiesEveryChecksumAndRecordsEveryTradeExactly()
    {
        using var dir = new TempDir();
        var (pipeline, got) = VenueRecording.Record(dir, "okx", a => new CaptureFileSource(RepoPaths.Fixture(Capture), a).Run());
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(290, c.ChecksumMatched);
        Assert.Equal(0, c.ChecksumMismatched);
        Assert.Equal(0, c.ChecksumAbsent);
        Assert.Equal(0, c.Gaps);
        Assert.Equal(0, c.Crossed);
        Assert.Equal(3, c.Syncs);
        Assert.Equal(287, c.DiffsApplied);
        Assert.Equal(0, c.Malformed);

        var expected = new Dictionary<(string, long), (long, long, long, byte)>();
        using (var gz = new GZipStream(File.OpenRead(RepoPaths.Fixture(Capture)), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz))
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                using var rec = JsonDocument.Parse(line);
                if (rec.RootElement.GetProperty("t").GetString() != "recv") continue;
                using var f = JsonDocument.Parse(rec.RootElement.GetProperty("data").GetString()!);
                if (!f.RootElement.TryGetProperty("arg", out var arg) || arg.GetProperty("channel").GetString() != "trades" || !f.RootElement.TryGetProperty("data", out var data)) continue;
                foreach (var t in data.EnumerateArray())
                    expected[(t.GetProperty("instId").GetString()!, long.Parse(t.GetProperty("tradeId").GetString()!))] =
                        (VenueRecording.Fixed(t.GetProperty("px").GetString()!), VenueRecording.Fixed(t.GetProperty("sz").GetString()!), long.Parse(t.GetProperty("ts").GetString()!) * 1_000_000,
                         t.GetProperty("side").GetString() == "buy" ? (byte)TradeSide.Buy : (byte)TradeSide.Sell);
            }
        }
        var trades = got.Events.Where(e => e.Kind == EventKind.Trade).ToList();
        Assert.Equal(74, expected.Count);
        Assert.Equal(expected.Count, trades.Count);
        foreach (var t in trades)
            Assert.Equal(expected[(pipeline.Registry[t.InstrumentId].Symbol, t.Id)], (t.Price, t.Quantity, t.ExchangeTime, t.Side));
        // side is the taker's: every trade the book could judge agrees.
        Assert.Equal(71, c.TradeSideMatchesBook);
        Assert.Equal(0, c.TradeSideAgainstBook);
        Assert.Equal(["BTC-USD-220527", "BTC-USDT", "UNI-USD-SWAP"], pipeline.Registry.All.Select(i => i.Symbol).Order().ToArray());
    }

    private static byte[] Book(string action, string bids, string asks, int checksum, long seq = -2, long prev = -2)
    {
        string seqs = seq == -2 ? "" : $",\"seqId\":{seq},\"prevSeqId\":{prev}";
        return Encoding.UTF8.GetBytes($$"""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"{{action}}","data":[{"asks":[{{asks}}],"bids":[{{bids}}],"ts":"1652459225464","checksum":{{checksum}}{{seqs}}}]}""");
    }

    private static int Crc(string text) => unchecked((int)System.IO.Hashing.Crc32.HashToUInt32(Encoding.ASCII.GetBytes(text)));
    private const long T0 = 1_652_459_225_500_000_000;

    [Fact]
    public void AChecksumThatDisagreesInvalidatesTheBookUntilTheNextSnapshot()
    {
        using var dir = new TempDir();
        var (pipeline, got) = VenueRecording.Record(dir, "okx", a =>
        {
            a.OnFrame(Book("snapshot", """["100","1","0","1"]""", """["101","2","0","1"]""", Crc("100:1:101:2")), T0);
            a.OnFrame(Book("update", """["100","3","0","1"]""", "", Crc("100:3:101:2")), T0 + 1);
            a.OnFrame(Book("update", """["99","1","0","1"]""", "", 12345), T0 + 2);              // wrong: invalid
            a.OnFrame(Book("update", """["98","1","0","1"]""", "", Crc("whatever")), T0 + 3);   // out of sync: dropped
            a.OnFrame(Book("update", """["97","1","0","1"]""", "", 0), T0 + 4);                  // absent, and out of sync
            a.OnFrame(Book("snapshot", """["96","1","0","1"]""", """["102","2","0","1"]""", Crc("96:1:102:2")), T0 + 5);
            a.OnFrame(Book("update", """["96","2","0","1"]""", "", 0), T0 + 6);                  // no seqId and no checksum: unverifiable, a gap
        });
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(3, c.ChecksumMatched);
        Assert.Equal(1, c.ChecksumMismatched);
        Assert.Equal(0, c.ChecksumAbsent);
        Assert.Equal(2, c.UnverifiableUpdates); // 97 (out of sync already) and the last
        Assert.Equal(1, c.Resyncs);
        var status = got.Events.Where(e => e.Kind == EventKind.Status).Select(e => (StatusKind)e.Side).ToList();
        Assert.Equal([StatusKind.Resync, StatusKind.BookInvalid, StatusKind.Resync, StatusKind.SequenceGap], status);
        var bids = got.Events.Where(e => e.Kind == EventKind.BookDelta && e.Side == (byte)BookSide.Bid).Select(e => e.Price / 100_000_000).ToList();
        Assert.Equal([100L, 100L, 99L, 96L], bids); // 99 was applied before its checksum failed; 98, 97 and the unverifiable one never
    }

    [Fact]
    public void ABrokenPrevSeqIdChainIsAGapAndARepeatIsStale()
    {
        using var dir = new TempDir();
        long allocated = -1;
        var (pipeline, got) = VenueRecording.Record(dir, "okx", a =>
        {
            a.OnFrame(Book("snapshot", """["100","1","0","1"]""", """["101","2","0","1"]""", 0, seq: 10, prev: -1), T0);
            var next = Book("update", """["100","3","0","1"]""", "", 0, seq: 15, prev: 10);
            a.OnFrame(next, T0 + 1);
            a.OnFrame(Book("update", "", "", 0, seq: 15, prev: 15), T0 + 2);                        // no change: applied
            allocated = Allocations.Measure(() => a.OnFrame(next, T0 + 3));                          // a repeat: stale, no allocation
            a.OnFrame(Book("update", """["99","1","0","1"]""", "", 0, seq: 20, prev: 17), T0 + 4);   // 15..17 missing
            a.OnFrame(Encoding.UTF8.GetBytes("""{"arg":{"channel":"books","instId":"BTC-USDT"},"action":"update","data":[{"asks":[],"bids":[["1","x"]],"ts":"1"}]}"""), T0 + 5);
        });
        var c = pipeline.Adapters[0].Counters;
        Assert.Equal(0, allocated);
        Assert.Equal(1, c.Gaps);
        Assert.True(c.DiffsStale >= 1);
        Assert.Equal(1, c.Malformed);
        var gap = Assert.Single(got.Events, e => e.Kind == EventKind.Status && e.Side == (byte)StatusKind.SequenceGap);
        Assert.Equal((15L, 17L), (gap.Id, gap.Id2));
        Assert.DoesNotContain(got.Events, e => e.Kind == EventKind.BookDelta && e.Price == 99 * 100_000_000L);
    }

    [Fact]
    public void ScalesFollowTheInstrumentsListNeverBelowEight()
    {
        using var dir = new TempDir();
        var (pipeline, got) = VenueRecording.Record(dir, "okx", a =>
        {
            a.OnRest("""{"code":"0","data":[{"instId":"PEPE-USDT","tickSz":"0.0000000001","lotSz":"1"},{"instId":"BTC-USDT","tickSz":"0.1","lotSz":"0.00000001"}]}"""u8,
                T0, "https://www.okx.com/api/v5/public/instruments?instType=SPOT");
            a.OnFrame(Encoding.UTF8.GetBytes("""{"arg":{"channel":"trades","instId":"PEPE-USDT"},"data":[{"instId":"PEPE-USDT","tradeId":"1","px":"0.0000012345","sz":"100","side":"buy","ts":"1652459225464"}]}"""), T0 + 1);
        });
        var pepe = pipeline.Registry.All.Single(i => i.Symbol == "PEPE-USDT");
        Assert.Equal((10, 8), (pepe.PriceScale, pepe.QuantityScale));
        Assert.Equal(12345, Assert.Single(got.Events, e => e.Kind == EventKind.Trade).Price); // 0.0000012345 at 10 decimals: exact, where 8 would refuse it
        Assert.Equal(0, pipeline.Adapters[0].Counters.Malformed);
    }
}
