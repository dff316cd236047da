using System.Collections.Concurrent;

namespace TickEngine.Engine.Ingest;

/// <summary>
/// Maps (exchange, symbol) to small integer ids, resolved off the hot path: a symbol is registered once, after
/// which looking it up from UTF-8 bytes allocates nothing. Registration is thread-safe; ids never change.
/// </summary>
public sealed class InstrumentRegistry
{
    private readonly object _gate = new();
    private readonly List<Instrument> _byId = new();
    private readonly ConcurrentDictionary<(string, string), Instrument> _byName = new();
    private volatile Instrument[] _snapshot = [];

    public int DefaultPriceScale { get; init; } = 8;
    public int DefaultQuantityScale { get; init; } = 8;

    public int Count => _snapshot.Length;

    public Instrument this[int id] => _snapshot[id];

    public IReadOnlyList<Instrument> All => _snapshot;

    /// <summary>Event raised (on the registering thread) when an instrument is first seen.</summary>
    public event Action<Instrument>? Registered;

    /// <param name="tradeIds">What the venue's trade ids are (only the first registration sets it).</param>
    public Instrument GetOrAdd(string exchange, string symbol, int? priceScale = null, int? quantityScale = null, TradeIdKind tradeIds = TradeIdKind.Sequential)
    {
        if (_byName.TryGetValue((exchange, symbol), out var found)) return found;
        Instrument created;
        lock (_gate)
        {
            if (_byName.TryGetValue((exchange, symbol), out found)) return found;
            created = new Instrument(_byId.Count, exchange, symbol, priceScale ?? DefaultPriceScale, quantityScale ?? DefaultQuantityScale, tradeIds, this);
            _byId.Add(created);
            _snapshot = _byId.ToArray();
            _byName[(exchange, symbol)] = created;
        }
        Registered?.Invoke(created);
        return created;
    }

    /// <summary>
    /// Finds an instrument of <paramref name="exchange"/> by its symbol as UTF-8 bytes, case-insensitively (stream
    /// names are lower case, payload symbols upper case). Registers it on first sight. Returns null for text that
    /// is not a symbol (<see cref="FrameRules.IsName(ReadOnlySpan{byte})"/>: 1..32 ASCII letters, digits, '-', '_' or
    /// '.', not dots only): a frame's bytes never become a directory name unchecked, and one bad name never reaches a
    /// writer (where it would stop that schema for every symbol).
    /// </summary>
    /// <param name="scales">The venue's instrument metadata, asked once when the symbol is first registered: its
    /// price and quantity scales (from tick and lot size), or null for the registry's defaults.</param>
    public Instrument? Resolve(string exchange, ReadOnlySpan<byte> symbolUtf8, TradeIdKind tradeIds = TradeIdKind.Sequential,
        Func<string, (int Price, int Quantity)?>? scales = null)
    {
        if (!FrameRules.IsName(symbolUtf8)) return null;
        var all = _snapshot;
        for (int i = 0; i < all.Length; i++)
        {
            var inst = all[i];
            if (inst.Exchange == exchange && EqualsIgnoreCase(inst.Symbol, symbolUtf8)) return inst;
        }
        Span<char> chars = stackalloc char[Math.Min(symbolUtf8.Length, 64)];
        for (int i = 0; i < chars.Length; i++) chars[i] = char.ToUpperInvariant((char)symbolUtf8[i]);
        string symbol = new(chars);
        var known = scales?.Invoke(symbol);
        return GetOrAdd(exchange, symbol, known?.Price, known?.Quantity, tradeIds);
    }

    private readonly List<Instrument> _scaleRequests = new();
    private readonly List<Instrument> _taken = new();

    /// <summary>True when a value asked an instrument for other scales (producer thread).</summary>
    public bool HasScaleRequests => _scaleRequests.Count > 0;

    internal void AskScaleChange(Instrument inst)
    {
        if (!_scaleRequests.Contains(inst)) _scaleRequests.Add(inst);
    }

    /// <summary>The instruments asking for other scales, emptied (producer thread; the list is reused).</summary>
    internal List<Instrument> TakeScaleRequests()
    {
        _taken.Clear();
        _taken.AddRange(_scaleRequests);
        _scaleRequests.Clear();
        return _taken;
    }

    /// <summary>Forgets the requests (a frame that asked was dropped for another reason).</summary>
    public void ClearScaleRequests()
    {
        foreach (var i in _scaleRequests) i.WantedPriceScale = i.WantedQuantityScale = -1;
        _scaleRequests.Clear();
    }

    private static bool EqualsIgnoreCase(string symbol, ReadOnlySpan<byte> utf8)
    {
        if (symbol.Length != utf8.Length) return false;
        for (int i = 0; i < utf8.Length; i++)
        {
            int a = symbol[i], b = utf8[i];
            if (a == b) continue;
            if ((a | 0x20) != (b | 0x20) || (uint)((a | 0x20) - 'a') > 'z' - 'a') return false;
        }
        return true;
    }
}
