using System.Globalization;
using TickEngine.Engine.Schemas;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Validation;

/// <summary>
/// A data-quality pass over segments. Every segment's blocks are verified; every row goes through the checks every
/// schema shares (times in order, quiet spells, exchange time against receive time) and its schema's own rules
/// (<see cref="SchemaDefinition.CreateRules"/>); after the last segment each schema's final checks run (bars against
/// the trades they came from) and the clock skew is observed. <b>Problems</b> are defects; <b>observations</b> are
/// worth knowing (quiet spells, ids missing across a stored disconnect, a median skew above a second).
/// </summary>
public static class Validator
{
    public static ValidationReport Run(IReadOnlyList<string> files, ValidationOptions options, CancellationToken cancel = default)
    {
        var ctx = new ValidationContext(options);
        // Status first (it explains gaps), then trades (bars are checked against them), then the rest; days in order.
        static int Rank(string f) => f.Contains($"{Path.DirectorySeparatorChar}status{Path.DirectorySeparatorChar}") ? 0 : f.Contains($"{Path.DirectorySeparatorChar}trades{Path.DirectorySeparatorChar}") ? 1 : 2;
        foreach (var file in files.OrderBy(Rank).ThenBy(f => f, Comparer<string>.Create(DataRoot.CompareSegmentPaths)))
        {
            cancel.ThrowIfCancellationRequested();
            SegmentReader r;
            try { r = SegmentReader.Open(file); }
            catch (StorageFormatException e)
            {
                ctx.Series("?", Path.GetFileName(file), SchemaKind.Status).Problem("unreadable segment", e.Message);
                continue;
            }
            using (r)
            {
                var s = ctx.Series(r.Header.Exchange, r.Header.Symbol, r.Schema.Kind);
                foreach (var problem in r.Verify(cancel)) s.Problem("checksum or structure", problem.Message);
                CheckRows(r, s, ctx, cancel);
            }
        }
        cancel.ThrowIfCancellationRequested();
        foreach (var d in SchemaDefinitions.All) d.FinishValidation(ctx);
        foreach (var s in ctx.AllSeries)
            if (s.Skew() is { } sk && Math.Abs(sk["median"]) > (long)ValidationOptions.SkewObservation.TotalMilliseconds * 1_000_000)
                s.Observe("clock skew", string.Create(CultureInfo.InvariantCulture, $"median receive - exchange time {sk["median"] / 1e6:N3} ms"));
        var ordered = ctx.AllSeries.OrderBy(s => s.Exchange, StringComparer.Ordinal).ThenBy(s => s.Symbol, StringComparer.Ordinal).ThenBy(s => s.Kind).ToList();
        return new ValidationReport(ordered, files.Count);
    }

    private static void CheckRows(SegmentReader r, SeriesReport s, ValidationContext ctx, CancellationToken cancel)
    {
        var schema = r.Schema;
        var rules = SchemaDefinitions.Of(schema.Kind).CreateRules(r, s, ctx);
        var o = ctx.Options;
        using var c = new SegmentCursor(r, ownsReader: false);
        long prevTime = long.MinValue;
        int flagsColumn = schema.IndexOf("flags");
        while (true)
        {
            try { if (!c.MoveNext()) break; }
            catch (StorageFormatException e) { s.Problem("checksum or structure", e.Message); break; }
            s.Rows++;
            if ((s.Rows & 0xFFFF) == 0 && cancel.IsCancellationRequested) return;
            long t = c[SegmentSchema.ExchangeTime];
            long recv = c[SegmentSchema.ReceiveTime];
            string at = IsoNs.Format(t);
            bool receiveKnown = flagsColumn < 0 || (c[flagsColumn] & (long)(RowFlags.ReceiveTimeUnknown | RowFlags.ExchangeTimeUnknown)) == 0;
            // History the exchange sent at subscription: its time is not when it was received, and it is outside the
            // run of live rows (order, skew, id continuity); only its values are checked.
            bool history = rules.IsHistory(c);
            if (history) s.History++;
            if (receiveKnown && !history && rules.ChecksSkew)
            {
                s.SkewSeen++;
                if (s.Skews.Count < 1_000_000) s.Skews.Add(recv - t);
                else { long j = Random.Shared.NextInt64(s.SkewSeen); if (j < s.Skews.Count) s.Skews[(int)j] = recv - t; } // a uniform sample
                if (Math.Abs(recv - t) > o.ToleranceNs)
                    s.Problem("exchange time far from receive time", $"exchange {at}, received {IsoNs.Format(recv)} ({(recv - t) / 1e9:F1} s)");
            }
            if (history) { rules.CheckValues(c, s, ctx, at); continue; }
            // Markers are the recorder's own, written in receive order; their exchange time mixes two clocks (a gap or
            // resync carries the exchange's, a connect or disconnect ours), so their order is checked on the receive time.
            bool byReceive = rules.OrderedByReceiveTime;
            long ordered = byReceive ? recv : t;
            if (rules.ChecksOrder && prevTime != long.MinValue)
            {
                if (ordered < prevTime) s.Problem(byReceive ? "receive time out of order" : "exchange time out of order", $"{IsoNs.Format(ordered)} after {IsoNs.Format(prevTime)}");
                else if (ordered - prevTime > o.MaxGapNs && rules.ObservesGaps) s.Observe("time gap", $"{(ordered - prevTime) / 1e9:F3} s before {at}");
            }
            prevTime = Math.Max(prevTime, ordered);
            rules.Check(c, s, ctx, at);
        }
    }
}
