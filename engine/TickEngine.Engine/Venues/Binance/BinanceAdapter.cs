using System.Text.Json;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues.Binance;

/// <summary>
/// Binance spot and USD-M futures frames (combined-stream and raw: trades, diff and partial depth, bookTicker,
/// markPrice) and REST depth snapshots, read with <see cref="Utf8JsonReader"/> into ring slots; diffs go through
/// <see cref="BookLifecycle"/> under <see cref="BinanceSequenceRule"/>. Protocol notes: docs/venues/binance.md.
/// Producer thread only; allocation-free per frame in steady state.
/// </summary>
public sealed class BinanceAdapter : IExchangeAdapter
{
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };
    private readonly InstrumentRegistry _registry;
    private readonly EventPublisher _publisher;
    private readonly ISnapshotRequester? _requester;
    private readonly bool _futures;
    private readonly long _timeUnitNs;
    private readonly BookMessage _depth = new();
    private BookLifecycle?[] _books = new BookLifecycle?[16];

    /// <param name="futures">USD-M futures rules (pu chaining) instead of spot's.</param>
    /// <param name="microseconds">The stream was opened with timeUnit=MICROSECOND.</param>
    public BinanceAdapter(InstrumentRegistry registry, EventPublisher publisher, bool futures, ISnapshotRequester? requester = null, bool microseconds = false)
    {
        _registry = registry;
        _publisher = publisher;
        _futures = futures;
        _requester = requester;
        _timeUnitNs = microseconds ? 1_000 : 1_000_000;
        Exchange = futures ? "binance-futures" : "binance";
    }

    public string Exchange { get; }
    public IngestCounters Counters { get; } = new();

    /// <summary>The value rules frames must meet (time range, clock skew, prices, names).</summary>
    public FrameRules Rules { get; init; } = FrameRules.Default;

    /// <summary>
    /// Publish best bid/ask events on the ring (for handlers that want them). Off by default: the tickers are
    /// checked against the book either way, and no writer stores them.
    /// </summary>
    public bool PublishBookTickers { get; init; }

    /// <summary>Publish funding from USD-M futures' <c>markPrice</c> streams (the funding schema; opt-in per recording).</summary>
    public bool PublishFunding { get; init; }

    /// <summary>The symbol a REST snapshot without a URL belongs to, when a capture holds a single symbol.</summary>
    public string? DefaultSymbol { get; set; }

    /// <summary>The book kept for an instrument, if any.</summary>
    public BookLifecycle? BookOf(int instrumentId) => instrumentId < _books.Length ? _books[instrumentId] : null;

    public void OnFrame(ReadOnlySpan<byte> frame, long receiveNs)
    {
        if (!FrameRules.Admit(Counters, frame, receiveNs)) return;
        // Parse the whole frame first, then act: a frame found malformed anywhere (trailing bytes included) changes
        // nothing, not a book, not a trade id, not the ring.
        // A value that does not fit its instrument's scales asks for others: the instrument moves to them tentatively
        // and the frame is read again; the move is made real only when the frame then reads whole.
        var mark = Counters.Mark();
        Read(frame, receiveNs);
        for (int round = 0; Counters.Malformed != mark.Malformed && _registry.HasScaleRequests && round < 4; round++)
        {
            if (!_scales.TryBegin(_registry, Counters)) break;
            Counters.RollBack(mark);
            Read(frame, receiveNs);
        }
        _registry.ClearScaleRequests();
        if (_scales.Pending)
        {
            if (Counters.Malformed == mark.Malformed) _scales.Complete(_publisher, Counters, receiveNs);
            else _scales.Revert();
        }
        Commit();
        _publisher.Publish();
    }

    private readonly ScaleChange _scales = new();

    private void Read(ReadOnlySpan<byte> frame, long receiveNs)
    {
        _pending.Kind = PendingKind.None;
        try
        {
            Dispatch(frame, receiveNs);
        }
        catch (JsonException)
        {
            _pending.Kind = PendingKind.None;
            Counters.AddMalformed("not valid JSON", frame);
        }
        catch (InvalidOperationException)
        {
            _pending.Kind = PendingKind.None;
            Counters.AddMalformed("unexpected JSON token", frame);
        }
    }

    private void Dispatch(ReadOnlySpan<byte> frame, long receiveNs)
    {
        var r = new Utf8JsonReader(frame, Options);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
        {
            Counters.AddMalformed("not a JSON object", frame);
            return;
        }
        ReadOnlySpan<byte> stream = default;
        int dataStart = -1, dataEnd = -1;
        bool sawResult = false, parsed = false, sawStream = false, sawData = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("stream"u8))
            {
                if (sawStream) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return; }
                sawStream = true;
                r.Read();
                if (r.TokenType == JsonTokenType.String && !r.ValueIsEscaped) stream = r.ValueSpan;
            }
            else if (r.ValueTextEquals("data"u8))
            {
                if (sawData) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return; }
                sawData = true;
                r.Read();
                if (!stream.IsEmpty && r.TokenType == JsonTokenType.StartObject)
                {
                    // The usual order (stream, then data): parse the payload in place, one pass over the frame.
                    if (!ParseStream(ref r, frame, stream, receiveNs)) return;
                    parsed = true;
                }
                else
                {
                    dataStart = (int)r.TokenStartIndex;
                    r.Skip();
                    dataEnd = (int)r.BytesConsumed;
                }
            }
            else
            {
                if (r.ValueTextEquals("result"u8) || r.ValueTextEquals("id"u8)) sawResult = true;
                r.Read();
                r.Skip();
            }
        }
        if (r.TokenType != JsonTokenType.EndObject || r.Read())
        {
            // Anything after the frame's object (or an object left open) makes the whole frame malformed.
            _pending.Kind = PendingKind.None;
            Counters.AddMalformed("not valid JSON", frame);
            return;
        }
        if (parsed) return;
        if (dataStart < 0)
        {
            if (sawResult) { Counters.Control++; return; }
            // A raw frame (/ws/<stream>): dispatch on its own fields.
            ParseRaw(frame, receiveNs);
            return;
        }
        if (stream.IsEmpty) { Counters.AddMalformed("combined frame without a stream name", frame); return; }
        var d = new Utf8JsonReader(frame[dataStart..dataEnd], Options);
        d.Read();
        if (d.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("combined frame whose data is not an object", frame); return; }
        ParseStream(ref d, frame, stream, receiveNs);
    }

    /// <summary>A payload named by its stream; the reader is on the payload's StartObject. False when the frame is done (unknown or malformed).</summary>
    private bool ParseStream(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, ReadOnlySpan<byte> stream, long receiveNs)
    {
        int at = stream.IndexOf((byte)'@');
        ReadOnlySpan<byte> symbol = at > 0 ? stream[..at] : default;
        ReadOnlySpan<byte> type = at >= 0 ? stream[(at + 1)..] : stream;
        if (type.StartsWith("trade"u8)) return ParseTrade(ref r, frame, receiveNs, aggregate: false);
        if (type.StartsWith("aggTrade"u8)) return ParseTrade(ref r, frame, receiveNs, aggregate: true);
        if (type.StartsWith("bookTicker"u8)) return ParseBookTicker(ref r, frame, symbol, receiveNs);
        if (type.StartsWith("markPrice"u8)) return ParseMarkPrice(ref r, frame, receiveNs);
        if (type.StartsWith("depth"u8))
        {
            var rest = type[5..];
            bool partial = rest.Length > 0 && rest[0] is >= (byte)'0' and <= (byte)'9';
            return ParseDepth(ref r, frame, symbol, receiveNs, partial);
        }
        if (stream.SequenceEqual("!serverShutdown"u8) || type.StartsWith("serverShutdown"u8)) { Counters.ServerShutdowns++; return false; }
        Counters.Unknown++;
        return false;
    }

    private void ParseRaw(ReadOnlySpan<byte> frame, long receiveNs)
    {
        var r = new Utf8JsonReader(frame, Options);
        r.Read();
        ReadOnlySpan<byte> e = default;
        bool hasU = false, hasLastUpdateId = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("e"u8)) { r.Read(); if (r.TokenType == JsonTokenType.String) e = r.ValueSpan; }
            else
            {
                if (r.ValueTextEquals("u"u8)) hasU = true;
                if (r.ValueTextEquals("lastUpdateId"u8)) hasLastUpdateId = true;
                r.Read();
                r.Skip();
            }
        }
        if (r.TokenType != JsonTokenType.EndObject || r.Read()) { Counters.AddMalformed("not valid JSON", frame); return; }
        var p = new Utf8JsonReader(frame, Options);
        p.Read();
        if (e.SequenceEqual("trade"u8)) ParseTrade(ref p, frame, receiveNs, aggregate: false);
        else if (e.SequenceEqual("aggTrade"u8)) ParseTrade(ref p, frame, receiveNs, aggregate: true);
        else if (e.SequenceEqual("depthUpdate"u8)) ParseDepth(ref p, frame, default, receiveNs, partial: false);
        else if (e.SequenceEqual("bookTicker"u8) || (e.IsEmpty && hasU)) ParseBookTicker(ref p, frame, default, receiveNs);
        else if (e.SequenceEqual("markPriceUpdate"u8)) ParseMarkPrice(ref p, frame, receiveNs);
        else if (e.SequenceEqual("serverShutdown"u8)) Counters.ServerShutdowns++;
        else if (e.IsEmpty && hasLastUpdateId) Counters.Unknown++; // spot partial depth without a stream name: no symbol
        else Counters.Unknown++;
    }

    /// <summary>
    /// USD-M futures' <c>markPriceUpdate</c> (<c>p</c> mark, <c>i</c> index, <c>r</c> funding rate, <c>T</c> next funding
    /// time, <c>E</c> event time): a funding row, when the recording writes funding; else counted as control.
    /// </summary>
    private bool ParseMarkPrice(ref Utf8JsonReader r, ReadOnlySpan<byte> data, long receiveNs)
    {
        if (!PublishFunding) { Counters.Control++; r.Skip(); return false; }
        Instrument? inst = null;
        ReadOnlySpan<byte> mark = default, index = default, rate = default;
        long eventTime = 0, next = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("s"u8))
            {
                r.Read();
                if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || (inst = _registry.Resolve(Exchange, r.ValueSpan)) is null) { Counters.AddMalformed(FrameRules.BadSymbol, data); return false; }
            }
            else if (r.ValueTextEquals("E"u8)) { r.Read(); if (!JsonFields.TryInt64(ref r, out eventTime)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; } }
            else if (r.ValueTextEquals("T"u8)) { r.Read(); if (!JsonFields.TryInt64(ref r, out next)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; } }
            else if (r.ValueTextEquals("p"u8)) { r.Read(); mark = r.TokenType == JsonTokenType.String && !r.ValueIsEscaped ? r.ValueSpan : default; }
            else if (r.ValueTextEquals("i"u8)) { r.Read(); index = r.TokenType == JsonTokenType.String && !r.ValueIsEscaped ? r.ValueSpan : default; }
            else if (r.ValueTextEquals("r"u8)) { r.Read(); rate = r.TokenType == JsonTokenType.String && !r.ValueIsEscaped ? r.ValueSpan : default; }
            else { r.Read(); r.Skip(); }
        }
        if (inst is null || mark.IsEmpty) { Counters.AddMalformed("markPriceUpdate without s or p", data); return false; }
        if (!FrameRules.TryTime(eventTime, _timeUnitNs, out long exchangeNs)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; }
        if (!Rules.WithinSkew(exchangeNs, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, data); return false; }
        ref var t = ref _pending;
        t = default;
        t.Kind = PendingKind.Funding;
        t.Instrument = inst;
        t.ExchangeNs = exchangeNs;
        t.ReceiveNs = receiveNs;
        if (!inst.TryPrice(mark, out t.Price) || (index.Length > 0 && !inst.TryPrice(index, out t.Quantity)) ||
            (rate.Length > 0 && !Venues.FundingRates.TryParse(rate, out t.Id, out t.Scale)))
        { t.Kind = PendingKind.None; Counters.AddMalformed("markPriceUpdate mark, index or rate not exact", data); return false; }
        if (rate.Length == 0) t.Scale = Venues.FundingRates.DefaultScale;
        if (next > 0 && !FrameRules.TryTime(next, _timeUnitNs, out t.AskPrice)) { t.Kind = PendingKind.None; Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; }
        return true;
    }

    private bool ParseTrade(ref Utf8JsonReader r, ReadOnlySpan<byte> data, long receiveNs, bool aggregate)
    {
        Instrument? inst = null;
        long tradeTime = 0, eventTime = 0, id = -1, price = 0, qty = 0;
        bool hasPrice = false, hasQty = false, maker = false, hasMaker = false, badSymbol = false, hasTradeTime = false;
        ReadOnlySpan<byte> priceText = default, qtyText = default;
        byte idKey = aggregate ? (byte)'a' : (byte)'t';
        ulong seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            // Binance keys are single letters: switch on the byte instead of comparing names one by one.
            byte key = Key(ref r);
            if (!FirstTime(ref seen, key)) { Counters.AddMalformed(FrameRules.DuplicateKey, data); return false; }
            r.Read();
            if (key == idKey) { if (!JsonFields.TryInt64(ref r, out id)) id = -1; continue; }
            switch (key)
            {
                case (byte)'s':
                    if (r.TokenType == JsonTokenType.String) { inst = _registry.Resolve(Exchange, r.ValueSpan); badSymbol = inst is null; }
                    break;
                case (byte)'T': hasTradeTime = true; if (!JsonFields.TryInt64(ref r, out tradeTime)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; } break;
                case (byte)'E': if (!JsonFields.TryInt64(ref r, out eventTime)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; } break;
                case (byte)'p': priceText = r.ValueSpan; hasPrice = r.TokenType == JsonTokenType.String && !r.ValueIsEscaped; break;
                case (byte)'q': qtyText = r.ValueSpan; hasQty = r.TokenType == JsonTokenType.String && !r.ValueIsEscaped; break;
                case (byte)'m': hasMaker = JsonFields.TryBool(ref r, out maker); break;
                default: r.Skip(); break;
            }
        }
        if (badSymbol) { Counters.AddMalformed(FrameRules.BadSymbol, data); return false; }
        if (inst is null || !hasPrice || !hasQty || id < 0 || (tradeTime == 0 && eventTime == 0))
        {
            Counters.AddMalformed("trade without s, t, p, q or T", data);
            return false;
        }
        if (!inst.TryPrice(priceText, out price) ||
            !inst.TryQuantity(qtyText, out qty))
        {
            Counters.AddMalformed("trade price or quantity not exact at the instrument's scale", data);
            return false;
        }
        if (price <= 0) { Counters.AddMalformed(FrameRules.BadPrice, data); return false; }
        if (qty <= 0) { Counters.AddMalformed(FrameRules.BadQuantity, data); return false; }
        // The trade time when the frame has one (whatever its value), else the event time.
        if (!FrameRules.TryTime(hasTradeTime ? tradeTime : eventTime, _timeUnitNs, out long exchangeNs)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; }
        if (!Rules.WithinSkew(exchangeNs, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, data); return false; }
        ref var t = ref _pending;
        t.Kind = PendingKind.Trade;
        t.Instrument = inst;
        t.ExchangeNs = exchangeNs;
        t.ReceiveNs = receiveNs;
        t.Price = price;
        t.Quantity = qty;
        t.Id = id;
        // m = the buyer is the maker, so the aggressor sold.
        t.Side = (byte)(!hasMaker ? TradeSide.Unknown : maker ? TradeSide.Sell : TradeSide.Buy);
        t.Aggregate = aggregate;
        return true;
    }

    private void CommitTrade(ref Pending t)
    {
        // A trade that arrives twice (across a reconnect) is stored once: ids only grow per symbol and kind, and a
        // repeat is no later than the last trade. A lower id with a later time is not a repeat (one damaged id
        // must not silence every trade after it): counted, stored, and the ids continue from it.
        ref long lastId = ref LastTradeId(t.Instrument!.Id, t.Aggregate);
        ref long lastTime = ref InstrumentSlots.At(ref t.Aggregate ? ref _lastAggTradeTime : ref _lastTradeTime, t.Instrument.Id);
        if (t.Id <= lastId)
        {
            if (t.ExchangeNs <= lastTime)
            {
                Counters.DuplicateTrades++;
                return;
            }
            Counters.TradeIdsBackwards++;
        }
        lastId = t.Id;
        lastTime = t.ExchangeNs;
        ref var e = ref _publisher.Claim();
        e.Kind = EventKind.Trade;
        e.InstrumentId = t.Instrument.Id;
        e.ExchangeTime = t.ExchangeNs;
        e.ReceiveTime = t.ReceiveNs;
        e.Price = t.Price;
        e.Quantity = t.Quantity;
        e.Id = t.Id;
        e.Side = t.Side;
        e.Flags = t.Aggregate ? (long)RowFlags.Aggregated : 0;
        Counters.TradeEvents++;
    }

    private enum PendingKind : byte { None, Trade, Ticker, Diff, Partial, Funding }

    /// <summary>What a parsed frame will do once the whole frame has been read and found well formed.</summary>
    private struct Pending
    {
        public PendingKind Kind;
        public bool Aggregate;
        public byte Side;
        public Instrument? Instrument;
        public long ExchangeNs, ReceiveNs, Price, Quantity, Id, AskPrice, AskQuantity;
        public int Scale;
    }

    private Pending _pending;

    private void Commit()
    {
        ref var p = ref _pending;
        switch (p.Kind)
        {
            case PendingKind.Trade: CommitTrade(ref p); break;
            case PendingKind.Ticker:
                // Spot's bookTicker carries no time: the quote's exchange time repeats its receive time, flagged.
                if (PublishBookTickers)
                    _publisher.Quote(p.Instrument!.Id, p.ExchangeNs != 0 ? p.ExchangeNs : p.ReceiveNs, p.ReceiveNs, p.Id, p.Price, p.Quantity, p.AskPrice, p.AskQuantity,
                        p.ExchangeNs == 0 ? (long)RowFlags.ExchangeTimeUnknown : 0);
                Book(p.Instrument!).OnBookTicker(p.Id, p.Price, p.Quantity, p.AskPrice, p.AskQuantity, p.ReceiveNs, p.ExchangeNs);
                break;
            case PendingKind.Funding:
                _publisher.Funding(p.Instrument!.Id, p.ExchangeNs, p.ReceiveNs, rate: p.Id, rateScale: p.Scale, nextFunding: p.AskPrice, mark: p.Price, index: p.Quantity);
                break;
            case PendingKind.Partial:
            {
                // A partial-depth frame is a whole top-N book: it replaces the book each time.
                _depth.FirstId = _depth.LastId;
                Book(p.Instrument!).Replace(_depth);
                break;
            }
            case PendingKind.Diff: Book(p.Instrument!).OnMessage(_depth); break;
        }
        p.Kind = PendingKind.None;
        p.Instrument = null;
    }

    /// <summary>False when a single-letter key was already seen in this object (a duplicated key: which one wins is not ours to guess).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static bool FirstTime(ref ulong seen, byte key)
    {
        int bit = key - 'A';
        if ((uint)bit >= 64) return true; // a longer name: checked where it matters
        ulong m = 1UL << bit;
        if ((seen & m) != 0) return false;
        seen |= m;
        return true;
    }

    private bool ParseBookTicker(ref Utf8JsonReader r, ReadOnlySpan<byte> data, ReadOnlySpan<byte> streamSymbol, long receiveNs)
    {
        Instrument? inst = streamSymbol.IsEmpty ? null : _registry.Resolve(Exchange, streamSymbol);
        bool badSymbol = !streamSymbol.IsEmpty && inst is null;
        long u = -1, eventTime = 0;
        ReadOnlySpan<byte> b = default, bq = default, a = default, aq = default;
        ulong seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            byte key = Key(ref r);
            if (!FirstTime(ref seen, key)) { Counters.AddMalformed(FrameRules.DuplicateKey, data); return false; }
            r.Read();
            switch (key)
            {
                case (byte)'u': if (!JsonFields.TryInt64(ref r, out u)) u = -1; break;
                case (byte)'s':
                    if (r.TokenType == JsonTokenType.String) { inst = _registry.Resolve(Exchange, r.ValueSpan); badSymbol |= inst is null; }
                    break;
                case (byte)'E': JsonFields.TryInt64(ref r, out eventTime); break;
                case (byte)'b': b = r.TokenType == JsonTokenType.String ? r.ValueSpan : default; break;
                case (byte)'B': bq = r.TokenType == JsonTokenType.String ? r.ValueSpan : default; break;
                case (byte)'a': a = r.TokenType == JsonTokenType.String ? r.ValueSpan : default; break;
                case (byte)'A': aq = r.TokenType == JsonTokenType.String ? r.ValueSpan : default; break;
                default: r.Skip(); break;
            }
        }
        if (badSymbol) { Counters.AddMalformed(FrameRules.BadSymbol, data); return false; }
        if (inst is null || u < 0 ||
            !inst.TryPrice(b, out long bp) ||
            !inst.TryQuantity(bq, out long bqty) ||
            !inst.TryPrice(a, out long ap) ||
            !inst.TryQuantity(aq, out long aqty))
        {
            Counters.AddMalformed("bookTicker without u, s, b, B, a or A (or not exact)", data);
            return false;
        }
        if (bp <= 0 || ap <= 0 || bqty < 0 || aqty < 0) { Counters.AddMalformed(FrameRules.BadLevel, data); return false; }
        long exchangeNs = 0;
        if (eventTime != 0)
        {
            if (!FrameRules.TryTime(eventTime, _timeUnitNs, out exchangeNs)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; }
            if (!Rules.WithinSkew(exchangeNs, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, data); return false; }
        }
        ref var t = ref _pending;
        t.Kind = PendingKind.Ticker;
        t.Instrument = inst;
        t.Id = u;
        t.Price = bp;
        t.Quantity = bqty;
        t.AskPrice = ap;
        t.AskQuantity = aqty;
        t.ReceiveNs = receiveNs;
        t.ExchangeNs = exchangeNs;
        return true;
    }

    private bool ParseDepth(ref Utf8JsonReader r, ReadOnlySpan<byte> data, ReadOnlySpan<byte> streamSymbol, long receiveNs, bool partial)
    {
        var m = _depth;
        m.Clear();
        m.ReceiveTime = receiveNs;
        Instrument? inst = streamSymbol.IsEmpty ? null : _registry.Resolve(Exchange, streamSymbol);
        bool badSymbol = !streamSymbol.IsEmpty && inst is null;
        bool hasU = false, hasLast = false, hasPrev = false;
        ulong seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            byte key = Key(ref r);
            if (key == 0 && (r.ValueTextEquals("lastUpdateId"u8) || r.ValueTextEquals("bids"u8) || r.ValueTextEquals("asks"u8)))
                key = r.ValueTextEquals("lastUpdateId"u8) ? (byte)'u' : r.ValueTextEquals("bids"u8) ? (byte)'b' : (byte)'a';
            else if (key == 0 && r.ValueTextEquals("pu"u8)) key = (byte)'P';
            if (!FirstTime(ref seen, key)) { Counters.AddMalformed(FrameRules.DuplicateKey, data); return false; }
            r.Read();
            switch (key)
            {
                case (byte)'U': JsonFields.TryInt64(ref r, out m.FirstId); break;
                case (byte)'u': hasLast = JsonFields.TryInt64(ref r, out m.LastId); hasU = true; break;
                case (byte)'P': hasPrev = JsonFields.TryInt64(ref r, out m.PrevLastId); break;
                case (byte)'E':
                    if (!JsonFields.TryInt64(ref r, out long t) || !FrameRules.TryTime(t, _timeUnitNs, out m.ExchangeTime)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, data); return false; }
                    break;
                case (byte)'s':
                    if (r.TokenType == JsonTokenType.String) { inst = _registry.Resolve(Exchange, r.ValueSpan); badSymbol |= inst is null; }
                    break;
                case (byte)'b':
                case (byte)'a':
                    if (badSymbol) { Counters.AddMalformed(FrameRules.BadSymbol, data); return false; }
                    if (inst is null) { Counters.AddMalformed("depth levels missing, not exact, or before the symbol", data); return false; }
                    var levels = ReadLevels(ref r, key == (byte)'b' ? BookSide.Bid : BookSide.Ask, inst, m);
                    if (levels == LevelsResult.Bad) { Counters.AddMalformed(FrameRules.BadLevel, data); return false; }
                    if (levels != LevelsResult.Ok) { Counters.AddMalformed("depth levels missing, not exact, or before the symbol", data); return false; }
                    break;
                default: r.Skip(); break;
            }
        }
        if (badSymbol) { Counters.AddMalformed(FrameRules.BadSymbol, data); return false; }
        if (inst is null || !hasU || !hasLast) { Counters.AddMalformed("depth message without a symbol or update id", data); return false; }
        // Both sides are always sent (empty when unchanged): a missing one is a damaged key, not an empty side.
        if ((seen & (1UL << ('b' - 'A'))) == 0 || (seen & (1UL << ('a' - 'A'))) == 0) { Counters.AddMalformed("depth message without its bids or asks", data); return false; }
        if (!partial && m.FirstId == 0) { Counters.AddMalformed("diff depth message without U", data); return false; }
        if (!partial && m.ExchangeTime == 0) { Counters.AddMalformed("diff depth message without E (its exchange time)", data); return false; }
        if (hasPrev && !_futures)
        {
            // A USD-M (or COIN-M) futures diff: its ids chain through pu, which spot's rules would read as gaps.
            Counters.WrongMarket++;
            Counters.AddMalformed("a futures depth diff (it has pu) recorded as spot: record it with --exchange binance-futures", data);
            return false;
        }
        if (m.ExchangeTime != 0 && !Rules.WithinSkew(m.ExchangeTime, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, data); return false; }
        _pending.Kind = partial ? PendingKind.Partial : PendingKind.Diff;
        _pending.Instrument = inst;
        return true;
    }

    /// <summary>The property name's byte when it is a single unescaped letter, else 0.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static byte Key(ref Utf8JsonReader r)
    {
        var name = r.ValueSpan;
        return name.Length == 1 && !r.ValueIsEscaped && !r.HasValueSequence ? name[0] : (byte)0;
    }

    private enum LevelsResult { Ok, Malformed, Bad }

    /// <summary>Reads <c>[[price, qty, ...], ...]</c>; Bad for a zero or negative price or a negative quantity (0 removes a level).</summary>
    private static LevelsResult ReadLevels(ref Utf8JsonReader r, BookSide side, Instrument inst, BookMessage m)
    {
        if (r.TokenType != JsonTokenType.StartArray) return LevelsResult.Malformed;
        while (r.Read() && r.TokenType == JsonTokenType.StartArray)
        {
            if (!r.Read() || !JsonFields.TryPrice(ref r, inst, out long px)) return LevelsResult.Malformed;
            if (!r.Read() || !JsonFields.TryQuantity(ref r, inst, out long qty)) return LevelsResult.Malformed;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) r.Skip(); // extra elements, if any
            if (r.TokenType != JsonTokenType.EndArray) return LevelsResult.Malformed;
            if (px <= 0 || qty < 0) return LevelsResult.Bad;
            m.Add(side, px, qty);
        }
        return r.TokenType == JsonTokenType.EndArray ? LevelsResult.Ok : LevelsResult.Malformed;
    }

    public void OnRest(ReadOnlySpan<byte> body, long receiveNs, string? url)
    {
        Counters.Frames++;
        var mark = Counters.Mark();
        var (action, inst) = Rest(body, receiveNs, url);
        for (int round = 0; Counters.Malformed != mark.Malformed && _registry.HasScaleRequests && round < 4; round++)
        {
            if (!_scales.TryBegin(_registry, Counters)) break;
            Counters.RollBack(mark);
            (action, inst) = Rest(body, receiveNs, url);
        }
        _registry.ClearScaleRequests();
        if (_scales.Pending)
        {
            if (Counters.Malformed == mark.Malformed) _scales.Complete(_publisher, Counters, receiveNs);
            else _scales.Revert();
        }
        // Read whole: now it acts (after any scale change, so the snapshot meets a book at its scales).
        switch (action)
        {
            case RestAction.Unknown: Counters.Unknown++; break;
            case RestAction.NoLastUpdateId:
                // A depth snapshot that cannot be placed in the stream: counted, marked, and the book waits for another.
                Counters.AddMalformed("REST depth snapshot without a valid lastUpdateId", body);
                PublishStatus(inst!, StatusKind.BookInvalid, receiveNs);
                break;
            case RestAction.Snapshot:
                _depth.FirstId = _depth.LastId;
                Book(inst!).OnSnapshot(_depth);
                break;
        }
        _publisher.Publish();
    }

    private enum RestAction { None, Unknown, NoLastUpdateId, Snapshot }

    private (RestAction, Instrument?) Rest(ReadOnlySpan<byte> body, long receiveNs, string? url)
    {
        if (!FrameRules.InRange(receiveNs)) { Counters.AddMalformed(FrameRules.ReceiveTimeOutOfRange, body); return (RestAction.None, null); }
        Instrument? inst = null;
        try
        {
            string? symbol = SymbolFromUrl(url) ?? DefaultSymbol ?? SingleBookSymbol();
            var m = _depth;
            m.Clear();
            m.ReceiveTime = receiveNs;
            if (symbol is not null && !FrameRules.IsName(symbol)) { Counters.AddMalformed(FrameRules.BadSymbol, body); return (RestAction.None, null); }
            inst = symbol is null ? null : _registry.GetOrAdd(Exchange, symbol);
            var r = new Utf8JsonReader(body, Options);
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("REST body is not a JSON object", body); return (RestAction.None, null); }
            bool hasLast = false, sawLast = false, sawBids = false, sawAsks = false;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (r.ValueTextEquals("lastUpdateId"u8))
                {
                    if (sawLast) { Counters.AddMalformed(FrameRules.DuplicateKey, body); return (RestAction.None, null); }
                    sawLast = true;
                    r.Read();
                    hasLast = JsonFields.TryInt64(ref r, out m.LastId) && m.LastId > 0;
                }
                else if (r.ValueTextEquals("E"u8))
                {
                    r.Read();
                    if (JsonFields.TryInt64(ref r, out long t))
                    {
                        if (!FrameRules.TryTime(t, 1_000_000, out m.ExchangeTime)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, body); return (RestAction.None, null); }
                        if (!Rules.WithinSkew(m.ExchangeTime, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, body); return (RestAction.None, null); }
                    }
                }
                else if (r.ValueTextEquals("bids"u8) || r.ValueTextEquals("asks"u8))
                {
                    bool bids = r.ValueTextEquals("bids"u8);
                    if (bids ? sawBids : sawAsks) { Counters.AddMalformed(FrameRules.DuplicateKey, body); return (RestAction.None, null); }
                    if (bids) sawBids = true; else sawAsks = true;
                    r.Read();
                    if (inst is null) { Counters.AddMalformed("REST depth snapshot names no symbol and the capture has diffs of several (or no) symbols: give the symbol", body); return (RestAction.None, null); }
                    var levels = ReadLevels(ref r, bids ? BookSide.Bid : BookSide.Ask, inst, m);
                    if (levels == LevelsResult.Bad) { Counters.AddMalformed(FrameRules.BadLevel, body); return (RestAction.None, null); }
                    if (levels != LevelsResult.Ok) { Counters.AddMalformed("REST depth levels not exact", body); return (RestAction.None, null); }
                }
                else { r.Read(); r.Skip(); }
            }
            if (r.TokenType != JsonTokenType.EndObject || r.Read()) { Counters.AddMalformed("REST body is not valid JSON", body); return (RestAction.None, null); }
            if (inst is null) return (RestAction.Unknown, null);
            if (!sawLast && !sawBids && !sawAsks) return (RestAction.Unknown, null); // not a depth snapshot
            return (hasLast ? RestAction.Snapshot : RestAction.NoLastUpdateId, inst);
        }
        catch (JsonException)
        {
            Counters.AddMalformed("REST body is not valid JSON", body);
        }
        return (RestAction.None, null);
    }

    private void PublishStatus(Instrument inst, StatusKind kind, long receiveNs) => _publisher.Status(inst.Id, kind, receiveNs);

    public void OnSession(StatusKind kind, long receiveNs, bool books = true)
    {
        foreach (var inst in _registry.All)
        {
            if (inst.Exchange != Exchange) continue;
            _publisher.Status(inst.Id, kind, receiveNs);
            if (kind == StatusKind.Disconnect && books) BookOf(inst.Id)?.OnDisconnect();
        }
        _publisher.Publish();
    }

    private long[] _lastTrade = new long[16];
    private long[] _lastAggTrade = new long[16];
    private long[] _lastTradeTime = new long[16];
    private long[] _lastAggTradeTime = new long[16];

    private ref long LastTradeId(int instrumentId, bool aggregate) =>
        ref aggregate ? ref InstrumentSlots.At(ref _lastAggTrade, instrumentId) : ref InstrumentSlots.At(ref _lastTrade, instrumentId);

    private BookLifecycle Book(Instrument inst)
    {
        return InstrumentSlots.At(ref _books, inst.Id) ??= new BookLifecycle(inst, _futures ? BinanceSequenceRule.Futures : BinanceSequenceRule.Spot, _publisher, Counters, _requester);
    }

    /// <summary>The symbol of the only book with diffs so far, when there is exactly one.</summary>
    private string? SingleBookSymbol()
    {
        string? found = null;
        for (int i = 0; i < _books.Length; i++)
        {
            if (_books[i] is null) continue;
            if (found is not null) return null;
            found = _registry[i].Symbol;
        }
        return found;
    }

    private static string? SymbolFromUrl(string? url)
    {
        if (url is null) return null;
        int at = url.IndexOf("symbol=", StringComparison.OrdinalIgnoreCase);
        if (at < 0) return null;
        int start = at + 7, end = url.IndexOf('&', start);
        return (end < 0 ? url[start..] : url[start..end]).ToUpperInvariant();
    }
}
