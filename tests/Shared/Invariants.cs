using System.Text.Json;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using Xunit;

namespace TickEngine.Tests.Shared;

/// <summary>
/// The invariants every run of the hostile corpus is held to, whatever its case: nothing made up (every L2 sample and
/// bar inside the time the instrument's own trades and level changes cover, and their numbers bounded by it: by the
/// receive-time span where receive times are known), every segment readable, the summary's row counts equal to what
/// the segments hold, and exit 0 only when something usable was written.
/// </summary>
public static class Invariants
{
    private const long Second = 1_000_000_000, Day = 86_400 * Second;
    /// <summary>The stretch of exchange time past the receive time a recorder may sample across (the L2 sampler's bound).</summary>
    private const long MaxUncoveredJump = 10 * Second;

    public sealed record Report(Dictionary<string, long> Rows, long Instruments);

    /// <summary>Checks <paramref name="root"/> (and the run's summary and exit code, when given); returns the rows per schema.</summary>
    public static Report Check(string root, int? exitCode = null, string? summaryJson = null, long intervalNs = Second)
    {
        var rows = new Dictionary<string, long>();
        var series = new Dictionary<(string, string), Span>();
        var problems = new List<string>();
        foreach (var path in DataRoot.FindSegments(root))
        {
            SegmentReader r;
            try { r = SegmentReader.Open(path); }
            catch (StorageFormatException e) { problems.Add(e.Message); continue; }
            using (r)
            {
                problems.AddRange(r.Verify().Select(p => p.Message));
                var s = series.TryGetValue((r.Header.Exchange, r.Header.Symbol), out var x) ? x : series[(r.Header.Exchange, r.Header.Symbol)] = new Span();
                string schema = r.Schema.Name;
                int flags = r.Schema.IndexOf("flags");
                using var c = new SegmentCursor(r, ownsReader: false);
                while (c.MoveNext())
                {
                    rows[schema] = rows.GetValueOrDefault(schema) + 1;
                    long t = c[0], recv = c[1];
                    bool unknown = flags >= 0 && (c[flags] & (long)RowFlags.ReceiveTimeUnknown) != 0;
                    switch (r.Schema.Kind)
                    {
                        case SchemaKind.Trades:
                            s.Add(t, recv, unknown, book: false);
                            break;
                        case SchemaKind.Deltas:
                            s.Add(t, recv, unknown, book: true);
                            break;
                        case SchemaKind.L2: s.L2.Add(t); break;
                        case SchemaKind.Bars: s.Bars.Add((c[BarColumns.Interval], t)); break;
                    }
                }
            }
        }
        Assert.True(problems.Count == 0, "damaged segments: " + string.Join("; ", problems));
        foreach (var ((ex, sym), s) in series)
        {
            // L2 samples: inside the span of the instrument's level changes, and no more than its receive time allows.
            if (s.L2.Count > 0)
            {
                Assert.True(s.BookMin != long.MaxValue, $"{ex}/{sym}: L2 samples without a level change");
                long bad = s.L2.Count(t => t < s.BookMin || t > s.BookMax + intervalNs);
                Assert.True(bad == 0, $"{ex}/{sym}: {bad} L2 samples outside the level changes' span {Iso(s.BookMin)} .. {Iso(s.BookMax)}");
                long span = s.BookReceiveKnown ? s.BookReceiveMax - s.BookReceiveMin : s.BookMax - s.BookMin;
                long bound = span / intervalNs + 2 + MaxUncoveredJump / intervalNs;
                Assert.True(s.L2.Count <= bound, $"{ex}/{sym}: {s.L2.Count:N0} L2 samples where its data's {(s.BookReceiveKnown ? "receive" : "exchange")}-time span ({span / 1e9:N1} s) allows {bound:N0}");
            }
            // Bars: inside the span of the instrument's trades, at most one (or two: a split) per interval it covers.
            foreach (var g in s.Bars.GroupBy(b => b.Interval))
            {
                long iv = g.Key;
                long first = s.TradeMin - ((s.TradeMin % iv) + iv) % iv;
                long outside = g.Count(b => b.Open < first || b.Open > s.TradeMax);
                Assert.True(outside == 0, $"{ex}/{sym}: {outside} bars of {iv / Second} s outside the trades' span {Iso(s.TradeMin)} .. {Iso(s.TradeMax)}");
                long span = s.TradeReceiveKnown ? Math.Max(s.TradeMax - s.TradeMin, 0) : s.TradeMax - s.TradeMin;
                long covered = s.TradeReceiveKnown ? Math.Min(span, s.TradeReceiveMax - s.TradeReceiveMin + s.HistoryAllowance) : span;
                long bound = 2 * (covered / iv + 3) + s.Gaps;
                Assert.True(g.Count() <= bound, $"{ex}/{sym}: {g.Count():N0} bars of {iv / Second} s where the data covers {covered / 1e9:N0} s");
            }
        }
        if (summaryJson is not null && File.Exists(summaryJson))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(summaryJson));
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!p.Name.StartsWith("rows_", StringComparison.Ordinal)) continue;
                string schema = p.Name[5..];
                Assert.True(p.Value.GetInt64() == rows.GetValueOrDefault(schema), $"the summary says {p.Value.GetInt64():N0} {schema} rows; the segments hold {rows.GetValueOrDefault(schema):N0}");
            }
        }
        if (exitCode == 0)
            Assert.True(rows.Where(kv => kv.Key != "status").Sum(kv => kv.Value) > 0, "exit 0, but nothing usable was written");
        return new Report(rows, series.Count);
    }

    private static string Iso(long ns) => ns is long.MaxValue or long.MinValue ? "-" : DateTimeOffset.FromUnixTimeMilliseconds(ns / 1_000_000).ToString("yyyy-MM-dd HH:mm:ss");

    private sealed class Span
    {
        public long BookMin = long.MaxValue, BookMax = long.MinValue, BookReceiveMin = long.MaxValue, BookReceiveMax = long.MinValue;
        public long TradeMin = long.MaxValue, TradeMax = long.MinValue, TradeReceiveMin = long.MaxValue, TradeReceiveMax = long.MinValue;
        public bool BookReceiveKnown = true, TradeReceiveKnown = true;
        public long HistoryAllowance = 0;
        public long Gaps = 0;
        public readonly List<long> L2 = new();
        public readonly List<(long Interval, long Open)> Bars = new();

        public void Add(long t, long recv, bool unknown, bool book)
        {
            if (book)
            {
                BookMin = Math.Min(BookMin, t); BookMax = Math.Max(BookMax, t);
                BookReceiveMin = Math.Min(BookReceiveMin, recv); BookReceiveMax = Math.Max(BookReceiveMax, recv);
                if (unknown) BookReceiveKnown = false;
            }
            else
            {
                // A trade far from the others (history sent at subscription) makes its own bar: the bars' count is
                // bounded per stretch the receive times cover, plus one such bar per interval for each.
                if (TradeMin != long.MaxValue && (t < TradeMin - 60 * Second || t > TradeMax + Day)) Gaps++;
                TradeMin = Math.Min(TradeMin, t); TradeMax = Math.Max(TradeMax, t);
                TradeReceiveMin = Math.Min(TradeReceiveMin, recv); TradeReceiveMax = Math.Max(TradeReceiveMax, recv);
                if (unknown) TradeReceiveKnown = false;
            }
        }
    }
}
