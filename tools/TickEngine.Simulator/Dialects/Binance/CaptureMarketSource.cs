using System.IO.Compression;
using System.Text;
using System.Text.Json;

using TickEngine.Simulator.Market;

namespace TickEngine.Simulator.Dialects.Binance;

/// <summary>
/// Plays a Binance capture in the timestamped-lines layout (<c>&lt;receive ns&gt; &lt;frame&gt;</c>, gzip or not). The first
/// pass sends every frame as recorded. With <see cref="Loop"/>, later passes start again from the first diff that
/// follows the recorded snapshot, with update ids, trade ids and times shifted so that every stream continues
/// without a gap; their bookTickers are filled from the exchange's own book (the recorded ones describe the
/// recorded book, not the looped one).
/// </summary>
public sealed class CaptureMarketSource : IMarketSource
{
    private readonly List<MarketItem> _items = new();
    private readonly int _resumeIndex;

    public CaptureMarketSource(string path, bool loop)
    {
        Loop = loop;
        using var file = File.OpenRead(path);
        Stream s = file;
        var head = new byte[2];
        if (file.Read(head) == 2 && head[0] == 0x1F && head[1] == 0x8B) { file.Position = 0; s = new GZipStream(file, CompressionMode.Decompress); }
        else file.Position = 0;
        using var reader = new StreamReader(s, Encoding.UTF8);
        var symbols = new HashSet<string>();
        string? line;
        int snapshotAt = -1;
        while ((line = reader.ReadLine()) is not null)
        {
            int sp = line.IndexOf(' ');
            if (sp <= 0 || !long.TryParse(line.AsSpan(0, sp), out long ns)) continue;
            var bytes = Encoding.UTF8.GetBytes(line[(sp + 1)..]);
            if (line.AsSpan(sp + 1).StartsWith("{\"lastUpdateId\"", StringComparison.Ordinal))
            {
                snapshotAt = _items.Count;
                _items.Add(new SnapshotItem(ns, "", bytes, Recorded: true));
                continue;
            }
            var unwrapped = FrameRewriter.Unwrap(bytes);
            if (unwrapped is null) continue;
            var (stream, raw) = unwrapped.Value;
            int at = stream.IndexOf('@');
            string symbol = at > 0 ? stream[..at].ToUpperInvariant() : "";
            if (symbol.Length > 0) symbols.Add(symbol);
            var kind = KindOf(stream);
            long first = 0, last = 0;
            if (kind == FrameKind.DepthDiff)
            {
                try { (first, last) = Ids(raw); }
                catch (Exception e) when (e is JsonException or InvalidOperationException) { continue; } // a broken diff: not played
            }
            _items.Add(new FrameItem(new MarketFrame(ns, stream, kind, symbol, bytes, raw, first, last)));
        }
        Symbols = symbols.OrderBy(x => x, StringComparer.Ordinal).ToArray();
        // The REST snapshot of a single-symbol capture belongs to its symbol.
        if (snapshotAt >= 0 && Symbols.Count == 1)
        {
            var snap = (SnapshotItem)_items[snapshotAt];
            _items[snapshotAt] = snap with { Symbol = Symbols[0] };
        }
        // Later passes resume at the first diff the snapshot's book continues with (it brackets lastUpdateId + 1).
        _resumeIndex = 0;
        if (snapshotAt >= 0)
        {
            long lastId = 0;
            try { lastId = JsonDocument.Parse(((SnapshotItem)_items[snapshotAt]).Body).RootElement.GetProperty("lastUpdateId").GetInt64(); }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"{path}: the REST depth snapshot at line {snapshotAt + 1} has no valid lastUpdateId");
            }
            for (int i = 0; i < _items.Count; i++)
                if (_items[i] is FrameItem { Frame.Kind: FrameKind.DepthDiff } f && f.Frame.LastUpdateId > lastId) { _resumeIndex = i; break; }
        }
        HasSnapshot = snapshotAt >= 0;
    }

    public bool Loop { get; }
    public bool HasSnapshot { get; }
    public IReadOnlyList<string> Symbols { get; }
    public int Scale => 8;
    public int FrameCount => _items.Count;

    public IEnumerable<MarketItem> Items(CancellationToken cancel)
    {
        foreach (var item in _items)
        {
            if (cancel.IsCancellationRequested) yield break;
            yield return item;
        }
        if (!Loop || _items.Count == 0) yield break;
        // Shifts that make pass k+1 continue pass k: ids past the last ones sent, times past the last time.
        long firstNs = _items[_resumeIndex].TimeNs, lastNs = _items[^1].TimeNs;
        long passNs = lastNs - firstNs + 1_000_000;
        long minU = long.MaxValue, maxU = 0, minTrade = long.MaxValue, maxTrade = 0, minAgg = long.MaxValue, maxAgg = 0;
        for (int i = _resumeIndex; i < _items.Count; i++)
        {
            if (_items[i] is not FrameItem f) continue;
            if (f.Frame.Kind == FrameKind.DepthDiff) { minU = Math.Min(minU, f.Frame.FirstUpdateId); maxU = Math.Max(maxU, f.Frame.LastUpdateId); }
            var (t, a) = TradeIds(f.Frame);
            if (t > 0) { minTrade = Math.Min(minTrade, t); maxTrade = Math.Max(maxTrade, t); }
            if (a > 0) { minAgg = Math.Min(minAgg, a); maxAgg = Math.Max(maxAgg, a); }
        }
        for (long pass = 1; !cancel.IsCancellationRequested; pass++)
        {
            // One extra update id per pass: the reset diff that returns the book to the recorded start.
            long idShift = pass * (maxU - minU + 2), tradeShift = pass * (maxTrade - minTrade + 1), aggShift = pass * (maxAgg - minAgg + 1);
            long nsShift = pass * passNs, msShift = nsShift / 1_000_000;
            long firstE = 0;
            for (int i = _resumeIndex; i < _items.Count && firstE == 0; i++)
                if (_items[i] is FrameItem { Frame.Kind: FrameKind.DepthDiff } d)
                    firstE = JsonDocument.Parse(d.Frame.Raw).RootElement.GetProperty("E").GetInt64();
            yield return new ResetItem(firstNs + nsShift, minU + idShift - 1, firstE + msShift);
            for (int i = _resumeIndex; i < _items.Count && !cancel.IsCancellationRequested; i++)
            {
                if (_items[i] is not FrameItem f) continue;
                var frame = f.Frame;
                byte[] raw = FrameRewriter.Rewrite(frame.Raw, (name, v) => name switch
                {
                    "U" or "u" or "pu" or "lastUpdateId" => v + idShift,
                    "t" => v + tradeShift,
                    "a" or "f" or "l" when frame.Kind == FrameKind.AggTrade => v + aggShift,
                    "E" or "T" => v + msShift,
                    _ => null,
                });
                var shifted = frame with
                {
                    TimeNs = frame.TimeNs + nsShift,
                    Raw = raw,
                    Combined = FrameRewriter.Wrap(frame.Stream, raw),
                    FirstUpdateId = frame.FirstUpdateId == 0 ? 0 : frame.FirstUpdateId + idShift,
                    LastUpdateId = frame.LastUpdateId == 0 ? 0 : frame.LastUpdateId + idShift,
                };
                yield return new FrameItem(shifted, FromBook: frame.Kind == FrameKind.BookTicker);
            }
        }
    }

    public static FrameKind KindOf(string stream)
    {
        int at = stream.IndexOf('@');
        string type = at >= 0 ? stream[(at + 1)..] : stream;
        if (type.StartsWith("trade", StringComparison.Ordinal)) return FrameKind.Trade;
        if (type.StartsWith("aggTrade", StringComparison.Ordinal)) return FrameKind.AggTrade;
        if (type.StartsWith("bookTicker", StringComparison.Ordinal)) return FrameKind.BookTicker;
        if (type.StartsWith("depth", StringComparison.Ordinal))
            return type.Length > 5 && char.IsAsciiDigit(type[5]) ? FrameKind.PartialDepth : FrameKind.DepthDiff;
        return FrameKind.Other;
    }

    private static (long First, long Last) Ids(byte[] raw)
    {
        using var doc = JsonDocument.Parse(raw);
        var root = doc.RootElement;
        return (root.TryGetProperty("U", out var u1) ? u1.GetInt64() : 0, root.TryGetProperty("u", out var u2) ? u2.GetInt64() : 0);
    }

    private static (long Trade, long Agg) TradeIds(MarketFrame f)
    {
        if (f.Kind is not (FrameKind.Trade or FrameKind.AggTrade)) return (0, 0);
        using var doc = JsonDocument.Parse(f.Raw);
        var root = doc.RootElement;
        return f.Kind == FrameKind.Trade ? (root.TryGetProperty("t", out var t) ? t.GetInt64() : 0, 0) : (0, root.TryGetProperty("a", out var a) ? a.GetInt64() : 0);
    }
}
