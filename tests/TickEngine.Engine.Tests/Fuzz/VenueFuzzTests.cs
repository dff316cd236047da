using System.IO.Compression;
using System.Text;
using System.Text.Json;
using CsCheck;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Ring;
using TickEngine.Engine.Venues;
using TickEngine.Storage.Format;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Fuzz;

/// <summary>
/// The OKX and Coinbase adapters fuzzed with their real frames, mutated as <see cref="FrameFuzzTests.Mutate"/> does
/// (bits, bytes, spans cut or repeated, frames cut short, numbers replaced), in stream order through a fresh
/// adapter per episode. Properties: no exception escapes; a frame counted malformed publishes nothing; everything
/// published keeps the frame rules (prices above 0, quantities not below 0, trade quantities above 0, times
/// between 2000 and 2100, known sides). The CI run tries a few thousand frames, the Stress run many more.
/// </summary>
public class VenueFuzzTests(ITestOutputHelper output)
{
    private static (long Ns, byte[] Frame, string? Address)[] Frames(string fixture)
    {
        var list = new List<(long, byte[], string?)>();
        var addresses = new Dictionary<string, string>();
        using var gz = new GZipStream(File.OpenRead(RepoPaths.Fixture(fixture)), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var doc = JsonDocument.Parse(line);
            string type = doc.RootElement.GetProperty("t").GetString()!;
            if (type == "connect") addresses[doc.RootElement.GetProperty("conn").GetString()!] = doc.RootElement.GetProperty("addr").GetString()!;
            if (type != "recv") continue;
            long ns = (long)(doc.RootElement.GetProperty("ts").GetDecimal() * 1_000_000_000m);
            string? address = doc.RootElement.TryGetProperty("conn", out var conn) ? addresses.GetValueOrDefault(conn.GetString()!) : null;
            list.Add((ns, Encoding.UTF8.GetBytes(doc.RootElement.GetProperty("data").GetString()!), address));
        }
        return list.ToArray();
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<(long, byte[], string?)[]>> Captures = new();

    public static TheoryData<string> Venues => VenueCases.Names;

    // Stress only. The failure text is built only on failure: Coinbase snapshot frames reach 5.8 MB, and a message
    // formatted per checked level made the test itself the slow part.
    [Theory]
    [Trait("Category", "Stress")]
    [MemberData(nameof(Venues))]
    public void MutatedRealFramesNeverThrowNorPublishABadValue(string venue) => Run(venue, 150);

    // A few episodes of each in every run: the fuzz's properties and the corpus invariants on what the pipeline wrote.
    [Theory]
    [MemberData(nameof(Venues))]
    public void AFewMutatedEpisodesKeepTheInvariants(string venue) => Run(venue, 10);

    private void Run(string venue, int episodes)
    {
        var frames = Captures.GetOrAdd(venue, v => new(() => Frames(VenueCases.Of(v).Capture))).Value;
        long inputs = 0, malformed = 0, events = 0;
        Gen.Int.Sample(seed =>
        {
            // The recorder's own pipeline (every handler writing segments), so the corpus invariants hold on what it wrote.
            using var dir = new TempDir();
            var pipeline = new TickEngine.Engine.Pipeline.RecordPipeline(TickEngine.Engine.Pipeline.RecordOptions.ForCapture(dir.File("root")) with { Exchange = venue, RingSize = 1 << 18 });
            var disruptor = pipeline.Disruptor;
            var publisher = pipeline.Publisher;
            var adapter = pipeline.Adapters[0];
            pipeline.Start();
            var rnd = new Random(seed);
            for (int i = 0; i < frames.Length; i++)
            {
                var (ns, frame, address) = frames[i];
                if (address is not null && adapter is IConnectionAware aware) aware.OnConnection(address.EndsWith("/spot", StringComparison.Ordinal) ? 1 : 0, address);
                byte[] input = rnd.Next(4) == 0 ? FrameFuzzTests.Mutate(frame, rnd.Next(7), rnd.Next(), rnd.Next()) : frame;
                long before = publisher.Published, bad = adapter.Counters.Malformed;
                adapter.OnFrame(input, ns);
                inputs++;
                if (adapter.Counters.Malformed != bad)
                {
                    malformed++;
                    Assert.Equal(before, publisher.Published);
                    continue;
                }
                for (long s = before; s < publisher.Published; s++)
                {
                    ref var e = ref disruptor.Ring[s];
                    events++;
                    switch (e.Kind)
                    {
                        case EventKind.Trade:
                            if (!(e.Price > 0 && e.Quantity > 0 && e.Side <= (byte)TradeSide.Sell)) Assert.Fail($"trade from {Encoding.UTF8.GetString(input)}");
                            Assert.True(FrameRules.InRange(e.ExchangeTime));
                            if (TradeIds.ToText(e.Id, e.Id2, e.Flags & TradeIds.FormMask) is null) Assert.Fail($"an id that does not decode from {Encoding.UTF8.GetString(input)}");
                            break;
                        case EventKind.BookDelta:
                            if (!((e.Price > 0 && e.Quantity >= 0) || (e.Flags & (long)RowFlags.BookReset) != 0)) Assert.Fail($"level from {Encoding.UTF8.GetString(input)}");
                            Assert.True(e.Side <= (byte)BookSide.Ask);
                            Assert.True(FrameRules.InRange(e.ExchangeTime));
                            break;
                        case EventKind.Status: break;
                        default: Assert.Fail($"unexpected {e.Kind}"); break;
                    }
                }
            }
            pipeline.Stop();
            Assert.Empty(pipeline.Faults);
            // Nothing made up, bounded by the data's receive-time span; every segment whole; the summary equals the segments.
            var summary = dir.File("summary.json");
            File.WriteAllText(summary, pipeline.Statistics().ToJsonText());
            Invariants.Check(dir.File("root"), summaryJson: summary);
        }, iter: episodes / 10 + 1, threads: 1);
        output.WriteLine($"{venue} fuzz: {inputs:N0} frames ({malformed:N0} malformed), {events:N0} events checked, 0 exceptions");
        Assert.True(malformed > 0);
    }
}
