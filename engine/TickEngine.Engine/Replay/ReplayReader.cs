using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Replay;

/// <summary>
/// Merges every segment a <see cref="ReplaySelection"/> names into one stream in non-decreasing time (exchange or
/// receive, as chosen). Ties are broken by schema (status, then deltas, then trades, then l2, then bars: a marker
/// comes before the data it qualifies, a book change before a trade at the same instant), then by exchange and
/// symbol (ordinal), then by the order rows were stored. Segments are opened only when the merge comes within a
/// day of their day and closed when done, so memory stays bounded however long the span. One thread.
/// </summary>
public sealed class ReplayReader : IDisposable
{
    private const long Day = DataRoot.NanosPerDay;
    private readonly ReplaySelection _selection;
    private readonly int _timeColumn;
    private readonly List<Pending> _pending;   // segments not opened yet, by day
    private readonly List<Open> _open = new();
    private int _nextPending;
    private Open? _current;

    private sealed record Pending(string Path, string Exchange, string Symbol, SchemaKind Kind, long Day, int Priority);

    private sealed class Open(Pending segment, SegmentCursor cursor)
    {
        public readonly Pending Segment = segment;
        public readonly SegmentCursor Cursor = cursor;
        public bool Live = true;
        public object? Tag;
    }

    public ReplayReader(ReplaySelection selection)
    {
        _selection = selection;
        _timeColumn = selection.Clock == ReplayClock.Exchange ? SegmentSchema.ExchangeTime : SegmentSchema.ReceiveTime;
        _pending = new List<Pending>();
        foreach (var kind in selection.Schemas)
        {
            foreach (var file in DataRoot.FindSegments(selection.Root, kind))
            {
                var parts = Path.GetRelativePath(selection.Root, file).Split(Path.DirectorySeparatorChar);
                string exchange = parts[^4], symbol = parts[^3];
                if (selection.Exchanges is { } ex && !ex.Contains(exchange, StringComparer.OrdinalIgnoreCase)) continue;
                if (selection.Symbols is { } sy && !sy.Contains(symbol, StringComparer.OrdinalIgnoreCase)) continue;
                if (!DateTime.TryParseExact(Path.GetFileNameWithoutExtension(file), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
                        System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var date)) continue;
                long day = (date.Ticks - DateTime.UnixEpoch.Ticks) * 100;
                // A day's rows can carry receive times up to a day later; skip segments that cannot reach the range.
                if (day + 2 * Day <= selection.StartNs || day - Day >= selection.EndNs) continue;
                _pending.Add(new Pending(file, exchange, symbol, kind, day, Priority(kind)));
            }
        }
        _pending.Sort((a, b) => a.Day != b.Day ? a.Day.CompareTo(b.Day) : Order(a, b));
    }

    /// <summary>Segments the selection matched.</summary>
    public int SegmentCount => _pending.Count;

    /// <summary>Segments open now (bounded: about two days' worth).</summary>
    public int OpenSegments => _open.Count;

    /// <summary>The current row's cursor (its reader names schema, exchange and symbol).</summary>
    public SegmentCursor Current => _current!.Cursor;
    public SchemaKind Kind => _current!.Segment.Kind;
    public string Exchange => _current!.Segment.Exchange;
    public string Symbol => _current!.Segment.Symbol;
    public long Timestamp => _current!.Cursor.Timestamp;

    /// <summary>A slot the consumer may keep per segment (e.g. the resolved instrument), so it resolves once per segment.</summary>
    public object? CurrentTag
    {
        get => _current!.Tag;
        set => _current!.Tag = value;
    }

    public bool MoveNext()
    {
        if (_current is not null) _current.Live = _current.Cursor.MoveNext();
        while (true)
        {
            Open? best = null;
            foreach (var o in _open)
                if (o.Live && (best is null || o.Cursor.Timestamp < best.Cursor.Timestamp)) best = o; // ties: list order
            // A segment of day D holds no row earlier than D minus a day (receive times lead or lag by far less).
            long unopened = _nextPending < _pending.Count ? _pending[_nextPending].Day - Day : long.MaxValue;
            if (best is not null && best.Cursor.Timestamp < unopened)
            {
                _current = best;
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

    /// <summary>Opens the next pending segment, in tie order among the open ones. (Its own method: the lambda's closure
    /// would otherwise be allocated on every <see cref="MoveNext"/>.)</summary>
    private void OpenNext()
    {
        var p = _pending[_nextPending++];
        var cursor = new SegmentCursor(SegmentReader.Open(p.Path), _selection.StartNs, _selection.EndNs, ownsReader: true, _timeColumn);
        var added = new Open(p, cursor) { Live = cursor.MoveNext() };
        int at = _open.FindIndex(x => Order(x.Segment, p) > 0);
        _open.Insert(at < 0 ? _open.Count : at, added);
    }

    private void CloseFinished()
    {
        for (int i = _open.Count - 1; i >= 0; i--)
        {
            if (_open[i].Live || ReferenceEquals(_open[i], _current)) continue;
            _open[i].Cursor.Dispose();
            _open.RemoveAt(i);
        }
    }

    private static int Priority(SchemaKind kind) => kind switch
    {
        SchemaKind.Status => 0,
        SchemaKind.Deltas => 1,
        SchemaKind.Trades => 2,
        SchemaKind.L2 => 3,
        _ => 4,
    };

    private static int Order(Pending a, Pending b)
    {
        int c = a.Priority.CompareTo(b.Priority);
        if (c != 0) return c;
        c = string.CompareOrdinal(a.Exchange, b.Exchange);
        return c != 0 ? c : string.CompareOrdinal(a.Symbol, b.Symbol);
    }

    public void Dispose()
    {
        foreach (var o in _open) o.Cursor.Dispose();
        _open.Clear();
    }
}
