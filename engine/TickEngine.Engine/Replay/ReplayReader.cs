using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Replay;

/// <summary>
/// The one k-way merge of stored rows: every segment a <see cref="ReplaySelection"/> names, in non-decreasing time
/// (exchange or receive, as chosen). Ties are broken by schema (status, then deltas, then trades, then l2, then
/// bars: a marker comes before the data it qualifies, a book change before a trade at the same instant), then by
/// exchange and symbol (ordinal), then by the order rows were stored. Segments are opened only when the merge
/// comes within a day of their day and closed when done, so memory stays bounded however long the span.
/// <para>Damage (a truncated segment, a block that fails its checksum) is never hidden: the rows before it are
/// returned, then, with <see cref="DamagePolicy.Report"/>, one damage item (<see cref="IsDamage"/>) at the time of
/// the last good row of that segment, and the merge goes on with the other segments; with
/// <see cref="DamagePolicy.Throw"/> the <see cref="StorageFormatException"/> is thrown there.</para>
/// One thread; allocation-free per row.
/// </summary>
public sealed class ReplayReader : IDisposable
{
    private const long Day = DataRoot.NanosPerDay;
    private readonly ReplaySelection _selection;
    private readonly int _timeColumn;
    private readonly List<Pending> _pending;   // segments not opened yet, by day
    private readonly List<Open> _open = new();
    private readonly List<StorageFormatException> _damage = new();
    private readonly List<string> _skipped = new();

    /// <summary>Symbolic links found in the data root and not followed.</summary>
    public IReadOnlyList<string> SkippedLinks => _skipped;
    private int _nextPending;
    private Open? _current;
    private bool _isDamage;

    private sealed record Pending(string Path, string Exchange, string Symbol, SchemaKind Kind, long Day, int Priority);

    private sealed class Open(Pending segment, SegmentCursor cursor)
    {
        public readonly Pending Segment = segment;
        public readonly SegmentCursor Cursor = cursor;
        public bool Live = true;
        public long LastTimestamp;
        public StorageFormatException? Damage;
        public bool DamageReported;
        public object? Tag;
    }

    public ReplayReader(ReplaySelection selection)
    {
        _selection = selection;
        _timeColumn = selection.Clock == ReplayClock.Exchange ? SegmentSchema.ExchangeTime : SegmentSchema.ReceiveTime;
        _pending = new List<Pending>();
        if (selection.Files is { } files)
        {
            foreach (var file in files)
            {
                using var r = SegmentReader.Open(file);
                var h = r.Header;
                if (!selection.Schemas.Contains(h.Schema.Kind)) continue;
                Add(file, h.Exchange, h.Symbol, h.Schema.Kind, h.DayStartNs);
            }
        }
        else
        {
            foreach (var kind in selection.Schemas)
            {
                foreach (var file in DataRoot.FindSegments(selection.Root, kind, skipped: _skipped))
                {
                    var parts = Path.GetRelativePath(selection.Root, file).Split(Path.DirectorySeparatorChar);
                    if (!DataRoot.TryParseName(file, out long day, out _)) continue;
                    Add(file, parts[^4], parts[^3], kind, day);
                }
            }
        }
        _pending.Sort((a, b) => a.Day != b.Day ? a.Day.CompareTo(b.Day) : Order(a, b));
    }

    private void Add(string file, string exchange, string symbol, SchemaKind kind, long day)
    {
        if (_selection.Exchanges is { } ex && !ex.Contains(exchange, StringComparer.OrdinalIgnoreCase)) return;
        if (_selection.Symbols is { } sy && !sy.Contains(symbol, StringComparer.OrdinalIgnoreCase)) return;
        // A day's rows can carry receive times up to a day later; skip segments that cannot reach the range.
        if (day + 2 * Day <= _selection.StartNs || day - Day >= _selection.EndNs) return;
        _pending.Add(new Pending(file, exchange, symbol, kind, day, Priority(kind)));
    }

    /// <summary>
    /// The largest price and quantity scales of an instrument's segments in the selection (a recording may continue
    /// at other scales: FORMAT.md, "Layout on disk"); null when none of its headers reads.
    /// </summary>
    public (int Price, int Quantity)? ScalesOf(string exchange, string symbol)
    {
        int p = -1, q = -1;
        foreach (var x in _pending)
        {
            if (x.Exchange != exchange || x.Symbol != symbol || x.Kind == SchemaKind.Status) continue;
            try
            {
                var h = SegmentHeader.ReadFile(x.Path);
                p = Math.Max(p, h.Schema.PriceScale);
                q = Math.Max(q, h.Schema.QuantityScale);
            }
            catch (Exception e) when (e is StorageFormatException or IOException) { } // reported where the segment is read
        }
        return p < 0 ? null : (p, q);
    }

    /// <summary>Segments the selection matched.</summary>
    public int SegmentCount => _pending.Count;

    /// <summary>The segments the selection matched, in merge order of their days.</summary>
    public IEnumerable<string> SegmentPaths => _pending.Select(p => p.Path);

    /// <summary>Segments open now (bounded: about two days' worth).</summary>
    public int OpenSegments => _open.Count;

    /// <summary>True when the current item is a damaged segment (no row: <see cref="CurrentDamage"/> says what and where).</summary>
    public bool IsDamage => _isDamage;

    /// <summary>The damage of the current item (<see cref="IsDamage"/>).</summary>
    public StorageFormatException? CurrentDamage => _isDamage ? _current!.Damage : null;

    /// <summary>Every damaged segment met so far.</summary>
    public IReadOnlyList<StorageFormatException> Damage => _damage;

    /// <summary>The current row's cursor (its reader names schema, exchange and symbol).</summary>
    public SegmentCursor Current => _current!.Cursor;
    public SchemaKind Kind => _current!.Segment.Kind;
    public string Exchange => _current!.Segment.Exchange;
    public string Symbol => _current!.Segment.Symbol;

    /// <summary>The current row's time (for a damage item, the time of its segment's last good row).</summary>
    public long Timestamp => _isDamage ? _current!.LastTimestamp : _current!.Cursor.Timestamp;

    /// <summary>A slot the consumer may keep per segment (e.g. the resolved instrument), so it resolves once per segment.</summary>
    public object? CurrentTag
    {
        get => _current!.Tag;
        set => _current!.Tag = value;
    }

    public bool MoveNext()
    {
        if (_current is not null && !_isDamage) Advance(_current);
        _isDamage = false;
        while (true)
        {
            Open? best = null;
            long bestKey = long.MaxValue;
            bool bestIsDamage = false;
            foreach (var o in _open)
            {
                if (o.Live)
                {
                    long t = o.Cursor.Timestamp;
                    if (best is null || t < bestKey) { best = o; bestKey = t; bestIsDamage = false; } // ties: list order
                }
                else if (o.Damage is not null && !o.DamageReported)
                {
                    long t = o.LastTimestamp;
                    if (best is null || t < bestKey || (t == bestKey && !bestIsDamage)) { best = o; bestKey = t; bestIsDamage = true; }
                }
            }
            // A segment of day D holds no row earlier than D minus a day (receive times lead or lag by far less).
            long unopened = _nextPending < _pending.Count ? _pending[_nextPending].Day - Day : long.MaxValue;
            if (best is not null && bestKey < unopened)
            {
                _current = best;
                if (bestIsDamage)
                {
                    best.DamageReported = true;
                    _damage.Add(best.Damage!);
                    if (_selection.Damage == DamagePolicy.Throw) throw best.Damage!;
                    _isDamage = true;
                }
                CloseFinished();
                return true;
            }
            if (_nextPending >= _pending.Count)
            {
                _current = null;
                CloseFinished();
                return false;
            }
            OpenNext();
        }
    }

    private static void Advance(Open o)
    {
        try
        {
            o.Live = o.Cursor.MoveNext();
            if (o.Live) o.LastTimestamp = o.Cursor.Timestamp;
        }
        catch (StorageFormatException e)
        {
            o.Live = false;
            o.Damage = e;
        }
        if (!o.Live && o.Damage is null && o.Cursor.Reader.Problems.Count > 0) o.Damage = o.Cursor.Reader.Problems[0];
    }

    /// <summary>Opens the next pending segment, in tie order among the open ones. (Its own method: the lambda's closure
    /// would otherwise be allocated on every <see cref="MoveNext"/>.)</summary>
    private void OpenNext()
    {
        var p = _pending[_nextPending++];
        Open added;
        try
        {
            var cursor = new SegmentCursor(SegmentReader.Open(p.Path), _selection.StartNs, _selection.EndNs, ownsReader: true, _timeColumn);
            added = new Open(p, cursor) { LastTimestamp = Math.Max(p.Day, _selection.StartNs) };
            Advance(added);
        }
        catch (StorageFormatException e)
        {
            // Not a readable segment at all (a damaged header, say): a damage item at its day, nothing else.
            if (_selection.Damage == DamagePolicy.Throw) { _damage.Add(e); throw; }
            added = new Open(p, null!) { Live = false, Damage = e, LastTimestamp = Math.Max(p.Day, _selection.StartNs) };
        }
        int at = _open.FindIndex(x => Order(x.Segment, p) > 0);
        _open.Insert(at < 0 ? _open.Count : at, added);
    }

    private void CloseFinished()
    {
        for (int i = _open.Count - 1; i >= 0; i--)
        {
            var o = _open[i];
            if (o.Live || ReferenceEquals(o, _current) || (o.Damage is not null && !o.DamageReported)) continue;
            o.Cursor?.Dispose();
            _open.RemoveAt(i);
        }
    }

    private static int Priority(SchemaKind kind) => Schemas.SchemaDefinitions.Of(kind).ReplayPriority;

    private static int Order(Pending a, Pending b)
    {
        int c = a.Priority.CompareTo(b.Priority);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.Exchange, b.Exchange);
        return c != 0 ? c : string.CompareOrdinal(a.Symbol, b.Symbol);
    }

    public void Dispose()
    {
        foreach (var o in _open) o.Cursor?.Dispose();
        _open.Clear();
    }
}
