using System.Globalization;
using System.Text;
using System.Text.Json;
using CsCheck;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Ring;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Engine.Tests.Fuzz;

/// <summary>
/// Fuzzing the frame parser and the capture reader with generated inputs (CsCheck): real frames from the spot
/// capture, mutated (bytes flipped, spans cut, repeated or inserted, numbers replaced by huge, negative or zero
/// values, keys repeated, frames cut short), fed in stream order to one adapter. Properties: no exception escapes;
/// nothing published breaks the frame rules; every trade and level change published equals, exactly, what an
/// independent JSON parser reads from the same frame (no wrong row); a frame counted malformed publishes nothing.
/// The CI run tries a few thousand inputs; the Stress run (its figures in the note) hundreds of thousands.
/// </summary>
public class FrameFuzzTests(ITestOutputHelper output)
{
    private static readonly Lazy<(long Ns, byte[] Frame)[]> Real = new(() => CaptureLines.BinanceSpot().Select(l => (l.Ns, Encoding.UTF8.GetBytes(l.Frame))).ToArray());

    private static readonly string[] Numbers = ["99999999999999999999", "-1", "0", "-0.5", "1e308", "340282366920938463463374607431768211456", "0.000000001", "\"\"", "null", "[]", "{}"];

    /// <summary><paramref name="frame"/> with mutation <paramref name="kind"/> at positions drawn from <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static byte[] Mutate(byte[] frame, int kind, int a, int b)
    {
        int n = frame.Length;
        int at = (int)((uint)a % (uint)Math.Max(1, n));
        int len = 1 + (int)((uint)b % 16);
        var list = new List<byte>(frame);
        switch (kind)
        {
            case 0: list[at] ^= (byte)(1 << (b & 7)); break;                                    // one bit
            case 1: list[at] = (byte)b; break;                                                  // one byte
            case 2: list.RemoveRange(at, Math.Min(len, n - at)); break;                         // a span cut out
            case 3: list.InsertRange(at, frame.AsSpan(at, Math.Min(len, n - at)).ToArray()); break; // a span repeated
            case 4: return frame[..at];                                                         // cut short
            case 5:                                                                             // a number replaced
            {
                string text = Encoding.UTF8.GetString(frame);
                var m = System.Text.RegularExpressions.Regex.Matches(text, "(?<=:)\"?-?[0-9][0-9.]*\"?");
                if (m.Count == 0) break;
                var pick = m[(int)((uint)a % (uint)m.Count)];
                string value = Numbers[(uint)b % (uint)Numbers.Length];
                if (pick.Value.StartsWith('"') && !value.StartsWith('"') && value is not ("null" or "[]" or "{}")) value = "\"" + value + "\"";
                return Encoding.UTF8.GetBytes(text[..pick.Index] + value + text[(pick.Index + pick.Length)..]);
            }
            case 6:                                                                             // a key repeated after the first brace of data
            {
                string text = Encoding.UTF8.GetString(frame);
                int data = text.IndexOf("\"data\":{", StringComparison.Ordinal);
                if (data < 0) break;
                string key = (b % 4) switch { 0 => "\"s\":\"ETHUSDT\",", 1 => "\"p\":\"1.5\",", 2 => "\"u\":1,", _ => "\"E\":1,", };
                return Encoding.UTF8.GetBytes(text[..(data + 8)] + key + text[(data + 8)..]);
            }
            case 7: list.Insert(at, (byte)(b % 3 == 0 ? '{' : b % 3 == 1 ? '"' : '\\')); break; // a stray structural byte
            case 8:                                                                             // trailing garbage
                list.AddRange(Encoding.UTF8.GetBytes(b % 2 == 0 ? ",\"x\":1}" : "}{\"e\":\"trade\"}"));
                break;
            default: break;                                                                     // unchanged (keeps the stream going)
        }
        return list.ToArray();
    }

    private sealed class Checker
    {
        private readonly ValueDisruptor<MarketEvent> _ring = new(1 << 16);
        private readonly EventPublisher _publisher;
        private readonly InstrumentRegistry _registry = new();
        public readonly BinanceAdapter Adapter;
        public long Inputs, Malformed, Published, TradesChecked, LevelsChecked;

        public Checker()
        {
            _publisher = new EventPublisher(_ring.Ring, _ring.Sequencer);
            Adapter = new BinanceAdapter(_registry, _publisher, futures: false);
        }

        public void Feed(long receiveNs, byte[] frame, bool rest)
        {
            try { FeedCore(receiveNs, frame, rest); }
            catch (Exception e) { throw new InvalidOperationException($"input {Inputs}: {Encoding.UTF8.GetString(frame)}", e); }
        }

        private void FeedCore(long receiveNs, byte[] frame, bool rest)
        {
            Inputs++;
            long before = _publisher.Published, malformedBefore = Adapter.Counters.Malformed;
            if (rest) Adapter.OnRest(frame, receiveNs, null);
            else Adapter.OnFrame(frame, receiveNs); // must not throw, whatever the bytes
            long published = _publisher.Published - before;
            Published += published;
            bool malformed = Adapter.Counters.Malformed > malformedBefore;
            if (malformed) Malformed++;
            if (published == 0) return;
            // Something was published from this frame: it must be a frame an independent parser reads, with these values.
            var events = new List<MarketEvent>();
            for (long s = before; s < before + published; s++) events.Add(_ring.Ring[s]);
            var trades = events.Where(e => e.Kind == EventKind.Trade).ToList();
            var levels = events.Where(e => e.Kind == EventKind.BookDelta && (e.Flags & 8) == 0).ToList(); // not snapshot rows
            if (trades.Count == 0 && levels.Count == 0) return;
            if (rest)
            {
                // A snapshot releases the diffs buffered before it: their rows come from earlier frames, checked there.
                Assert.True(trades.Count == 0 && levels.All(l => l.Price > 0 && l.Quantity >= 0));
                return;
            }
            Assert.False(malformed, $"a frame counted malformed published rows: {Encoding.UTF8.GetString(frame)}");
            JsonElement data;
            try
            {
                using var doc = JsonDocument.Parse(frame);
                data = doc.RootElement.TryGetProperty("data", out var d) ? d.Clone() : doc.RootElement.Clone();
                if (!rest && doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
                    Assert.Equal(names.Count, names.Distinct().Count());
                    var dataNames = data.ValueKind == JsonValueKind.Object ? data.EnumerateObject().Select(p => p.Name).ToList() : [];
                    Assert.True(dataNames.Count == dataNames.Distinct().Count(), $"a frame with a repeated key published rows: {Encoding.UTF8.GetString(frame)}");
                }
            }
            catch (JsonException)
            {
                Assert.Fail($"a frame that is not valid JSON published rows: {Encoding.UTF8.GetString(frame)}");
                return;
            }
            foreach (var t in trades)
            {
                // At the instrument's scales after the frame (a value that did not fit moved them before it was read).
                var inst = _registry[t.InstrumentId];
                Assert.Equal(Mantissa(data.GetProperty("p").GetString()!, inst.PriceScale), t.Price);
                Assert.Equal(Mantissa(data.GetProperty("q").GetString()!, inst.QuantityScale), t.Quantity);
                Assert.Equal(data.GetProperty("t").GetInt64(), t.Id);
                // The trade time, or the event time when the frame has no trade time.
                Assert.Equal((data.TryGetProperty("T", out var tt) ? tt : data.GetProperty("E")).GetInt64() * 1_000_000, t.ExchangeTime);
                Assert.True(t.Price > 0 && t.Quantity > 0 && FrameRules.InRange(t.ExchangeTime));
                TradesChecked++;
            }
            if (levels.Count > 0)
            {
                var expected = data.GetProperty("b").EnumerateArray().Select(l => (Side: 1, l[0].GetString()!, l[1].GetString()!))
                    .Concat(data.GetProperty("a").EnumerateArray().Select(l => (Side: 2, l[0].GetString()!, l[1].GetString()!))).ToList();
                Assert.Equal(expected.Count, levels.Count);
                for (int i = 0; i < levels.Count; i++)
                {
                    Assert.Equal(expected[i].Side, levels[i].Side);
                    var inst = _registry[levels[i].InstrumentId];
                    Assert.Equal(Mantissa(expected[i].Item2, inst.PriceScale), levels[i].Price);
                    Assert.Equal(Mantissa(expected[i].Item3, inst.QuantityScale), levels[i].Quantity);
                    Assert.True(levels[i].Price > 0 && levels[i].Quantity >= 0);
                }
                Assert.Equal(data.GetProperty("E").GetInt64() * 1_000_000, levels[0].ExchangeTime);
                LevelsChecked += levels.Count;
            }
        }

        private static long Mantissa(string text, int scale)
        {
            decimal v = decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
            for (int i = 0; i < scale; i++) v *= 10;
            Assert.Equal(decimal.Truncate(v), v); // exact at that scale
            return (long)v;
        }
    }

    private sealed class Totals
    {
        public long Inputs, Malformed, Published, TradesChecked, LevelsChecked;
        public void Add(Checker c) { Inputs += c.Inputs; Malformed += c.Malformed; Published += c.Published; TradesChecked += c.TradesChecked; LevelsChecked += c.LevelsChecked; }
    }

    private void Run(long inputs, string? seed = null)
    {
        var real = Real.Value;
        var totals = new Totals();
        var started = DateTime.UtcNow;
        // An episode: a fresh adapter fed the real stream from its start (the REST snapshot, so books sync), each frame
        // mutated with a drawn probability, for a drawn number of frames. Episodes keep later checks alive: one
        // mutated update id puts a book out of sync until the next snapshot, which a capture does not have.
        const int MeanLength = 300;
        Gen.Select(Gen.Int[20, 2 * MeanLength - 20], Gen.Int[1, 50], Gen.Int).Sample((length, percent, episodeSeed) =>
        {
            var rng = new Random(episodeSeed);
            var checker = new Checker();
            for (int i = 0; i < length && i < real.Length; i++)
            {
                var (ns, frame) = real[i];
                bool rest = frame.AsSpan().StartsWith("{\"lastUpdateId\""u8);
                bool mutate = !rest && rng.Next(100) < percent;
                checker.Feed(ns, mutate ? Mutate(frame, rng.Next(10), rng.Next(), rng.Next()) : frame, rest);
            }
            lock (totals) totals.Add(checker);
        }, seed: seed, iter: Math.Max(1, inputs / MeanLength), threads: 1);
        output.WriteLine($"frame fuzz: {totals.Inputs:N0} inputs ({totals.Malformed:N0} malformed), {totals.Published:N0} events published, " +
            $"{totals.TradesChecked:N0} trades and {totals.LevelsChecked:N0} level changes checked against an independent parser, 0 exceptions, {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        Assert.True(totals.Malformed > 0 && totals.TradesChecked > 0 && totals.LevelsChecked > 0);
    }

    [Fact]
    public void MutatedFramesNeverThrowNorPublishAWrongRow() => Run(30_000);

    [Fact]
    [Trait("Category", "Stress")]
    public void MutatedFramesNeverThrowNorPublishAWrongRowAtLength() => Run(1_000_000);

    /// <summary>Whole capture files of random bytes and broken lines: the reader ends (no hang) with rows or an IOException, never another exception.</summary>
    [Fact]
    public void RandomCaptureFilesEndCleanly()
    {
        using var dir = new TempDir();
        long files = 0, failed = 0;
        Gen.Select(Gen.Int[0, 3], Gen.Int[1, 200_000], Gen.Int).Sample((kind, size, seed) =>
        {
            var rng = new Random(seed);
            var bytes = new byte[size];
            rng.NextBytes(bytes);
            if (kind == 1) for (int i = 0; i < bytes.Length; i += 97) bytes[i] = (byte)'\n';                    // many short lines
            if (kind == 2) { bytes[0] = 0x1F; bytes[1] = 0x8B; }                                                  // looks like gzip, is not
            if (kind == 3) bytes = [.. Encoding.UTF8.GetBytes("1723161254087896568 {\"stream\":\"btcusdt@trade\",\"data\":"), .. bytes]; // a real start, then noise
            string path = dir.File($"c{files}.bin");
            File.WriteAllBytes(path, bytes);
            var ring = new ValueDisruptor<MarketEvent>(1 << 12);
            var adapter = new BinanceAdapter(new InstrumentRegistry(), new EventPublisher(ring.Ring, ring.Sequencer), futures: false);
            var task = Task.Run(() =>
            {
                try { new CaptureFileSource(path, adapter).Run(); }
                catch (IOException) { Interlocked.Increment(ref failed); }
            });
            Assert.True(task.Wait(TimeSpan.FromSeconds(20)), "the capture reader hung");
            task.GetAwaiter().GetResult();
            files++;
            File.Delete(path);
        }, iter: 300, threads: 1);
        output.WriteLine($"capture fuzz: {files} files of random bytes, {failed} ended with a clear IOException (damaged gzip), the rest read to the end; 0 other exceptions, 0 hangs");
    }
}
