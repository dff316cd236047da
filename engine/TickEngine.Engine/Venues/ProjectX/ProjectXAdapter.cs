using System.Text.Json;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues.ProjectX;

/// <summary>
/// ProjectX Gateway market-hub messages, as SignalR's JSON protocol carries them:
/// <c>{"type":1,"target":"GatewayQuote"|"GatewayTrade"|"GatewayDepth","arguments":["CON.F.US.MNQ.Z26", data]}</c>
/// (a trailing record separator 0x1E is allowed). <c>GatewayDepth</c>'s entries are level changes, a <c>Reset</c>
/// entry starting a whole book (the snapshot); <c>GatewayTrade</c>'s are prints with the aggressor's side;
/// <c>GatewayQuote</c> states the best bid and ask (no sizes), which is also checked against the book. ProjectX numbers
/// nothing, so a lost depth change is found only by that check or a crossed book. Protocol notes:
/// docs/venues/projectx.md. Producer thread only; allocation-free per frame in steady state.
/// </summary>
public sealed class ProjectXAdapter : StreamVenueAdapter
{
    public const string Name = "projectx";

    /// <summary>DOM entry types (the Gateway's DomType): level changes, the reset that starts a book, and the rest (not levels).</summary>
    public enum DomType { Unknown = 0, Ask = 1, Bid = 2, BestAsk = 3, BestBid = 4, Trade = 5, Reset = 6, Low = 7, High = 8, NewBestBid = 9, NewBestAsk = 10, Fill = 11 }

    /// <summary>
    /// Quotes in a row disagreeing with the book before it is taken as wrong: a quote may overtake the depth change it
    /// reflects (the next quote then agrees and the count starts again); a lost change keeps them disagreeing.
    /// </summary>
    public const int QuoteMismatchesToInvalidate = 2;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };
    private readonly InstrumentRegistry _registry;
    private readonly EventPublisher _publisher;
    private BookLifecycle?[] _books = new BookLifecycle?[16];
    private long[] _bookMessages = new long[16];
    private long[] _tradeNumbers = new long[16];
    private int[] _quoteMismatches = new int[16];
    private long[] _quoteNumbers = new long[16];
    private readonly VenueTrades _tradeLog;

    private enum Target { None, Quote, Trade, Depth, Other }
    private Target _target;
    private Instrument? _instrument;

    private BookLevel[] _levels = new BookLevel[1024];
    private int _levelCount;
    private bool _snapshot;
    private long _depthTime;

    private struct TradeItem { public long Price, Quantity, Time; public byte Side; }
    private TradeItem[] _trades = new TradeItem[256];
    private int _tradeCount;

    private bool _hasQuote, _quoteBid, _quoteAsk;
    private long _bid, _ask, _quoteTime;

    private readonly BookMessage _message = new();

    public ProjectXAdapter(InstrumentRegistry registry, EventPublisher publisher) : base(registry, publisher)
    {
        _registry = registry;
        _publisher = publisher;
        _tradeLog = new VenueTrades(publisher, Counters);
    }

    public override string Exchange => Name;

    /// <summary>The book kept for an instrument, if any.</summary>
    public BookLifecycle? BookOf(int instrumentId) => instrumentId < _books.Length ? _books[instrumentId] : null;

    protected override void Reset()
    {
        _levelCount = _tradeCount = 0;
        _hasQuote = _quoteBid = _quoteAsk = _snapshot = false;
        _target = Target.None;
        _instrument = null;
        _depthTime = _quoteTime = 0;
    }

    protected override bool Parse(ReadOnlySpan<byte> frame, long receiveNs)
    {
        if (frame.Length > 0 && frame[^1] == 0x1E) frame = frame[..^1];
        var r = new Utf8JsonReader(frame, Options);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("not a JSON object", frame); return false; }
        int argsStart = -1, argsEnd = -1;
        long type = -1;
        bool sawTarget = false, sawType = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8))
            {
                if (sawType) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawType = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out type)) { Counters.AddMalformed("type is not an integer", frame); return false; }
            }
            else if (r.ValueTextEquals("target"u8))
            {
                if (sawTarget) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawTarget = true;
                r.Read();
                if (r.TokenType != JsonTokenType.String) { Counters.AddMalformed("target is not a string", frame); return false; }
                _target = r.ValueTextEquals("GatewayQuote"u8) ? Target.Quote
                    : r.ValueTextEquals("GatewayTrade"u8) ? Target.Trade
                    : r.ValueTextEquals("GatewayDepth"u8) ? Target.Depth
                    : Target.Other;
            }
            else if (r.ValueTextEquals("arguments"u8))
            {
                if (argsStart >= 0) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray) { Counters.AddMalformed("arguments is not an array", frame); return false; }
                argsStart = (int)r.TokenStartIndex;
                r.Skip();
                argsEnd = (int)r.BytesConsumed;
            }
            else { r.Read(); r.Skip(); }
        }
        if (r.TokenType != JsonTokenType.EndObject || r.Read()) { Counters.AddMalformed("not valid JSON", frame); return false; }
        if (!sawType) { Counters.AddMalformed("SignalR message without a type", frame); return false; }
        // 1 is an invocation; 3 completions, 6 pings, 7 close and the others are the protocol's own.
        if (type != 1) { Counters.Control++; return false; }
        if (!sawTarget || argsStart < 0) { Counters.AddMalformed("invocation without target or arguments", frame); return false; }
        if (_target == Target.Other) { Counters.Unknown++; return false; }
        _argsBase = argsStart;
        var a = new Utf8JsonReader(frame[argsStart..argsEnd], Options);
        a.Read();
        if (!a.Read() || a.TokenType != JsonTokenType.String || a.ValueIsEscaped || (_instrument = _registry.Resolve(Name, a.ValueSpan, TradeIdKind.Integer)) is null)
        { Counters.AddMalformed(FrameRules.BadSymbol, frame); return false; }
        if (!a.Read()) { Counters.AddMalformed("invocation without its data", frame); return false; }
        bool ok = _target switch
        {
            Target.Quote => a.TokenType == JsonTokenType.StartObject ? ParseQuote(ref a, frame, receiveNs) : Malformed("GatewayQuote data is not an object", frame),
            Target.Trade => ParseList(ref a, frame, receiveNs, trades: true),
            _ => ParseList(ref a, frame, receiveNs, trades: false),
        };
        if (!ok) return false;
        if (!a.Read() || a.TokenType != JsonTokenType.EndArray) { Counters.AddMalformed("arguments hold more than a contract and its data", frame); return false; }
        return true;
    }

    private int _argsBase;

    private bool Malformed(string reason, ReadOnlySpan<byte> frame)
    {
        Counters.AddMalformed(reason, frame);
        return false;
    }

    /// <summary>Trades or depth entries: an array of objects (a single object is taken as one).</summary>
    private bool ParseList(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, long receiveNs, bool trades)
    {
        if (r.TokenType == JsonTokenType.StartObject)
            return trades ? ParseTrade(ref r, frame, receiveNs) : ParseDepth(ref r, frame, receiveNs);
        if (r.TokenType != JsonTokenType.StartArray) return Malformed(trades ? "GatewayTrade data is not an array" : "GatewayDepth data is not an array", frame);
        while (r.Read() && r.TokenType == JsonTokenType.StartObject)
            if (!(trades ? ParseTrade(ref r, frame, receiveNs) : ParseDepth(ref r, frame, receiveNs))) return false;
        if (r.TokenType != JsonTokenType.EndArray) return Malformed("data is not an array of objects", frame);
        return true;
    }

    private bool ReadTime(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, out long ns)
    {
        ns = 0;
        if (r.TokenType != JsonTokenType.String) return Malformed(FrameRules.TimeOutOfRange, frame);
        // The Gateway's JSON escapes the offset's '+' (\u002B): such a time is unescaped into a buffer on the stack.
        bool parsed;
        if (!r.ValueIsEscaped && !r.HasValueSequence) parsed = IsoTime.TryParseWithOffset(r.ValueSpan, out ns);
        else
        {
            Span<byte> buffer = stackalloc byte[64];
            parsed = !r.HasValueSequence && r.ValueSpan.Length <= buffer.Length && IsoTime.TryParseWithOffset(buffer[..r.CopyString(buffer)], out ns);
        }
        if (!parsed || !FrameRules.InRange(ns)) return Malformed(FrameRules.TimeOutOfRange, frame);
        return true;
    }

    private bool ParseDepth(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, long receiveNs)
    {
        var inst = _instrument!;
        long time = 0, type = -1, price = 0, volume = 0;
        bool sawPrice = false, sawVolume = false;
        int typeStart = -1;
        ulong seen = 0;
        // The price and volume are read at the instrument's scales; the type decides whether they matter.
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("timestamp"u8) ? 1 : r.ValueTextEquals("type"u8) ? 2 : r.ValueTextEquals("price"u8) ? 3 : r.ValueTextEquals("volume"u8) ? 4 : 0;
            if (key != 0 && (seen & (1UL << key)) != 0) return Malformed(FrameRules.DuplicateKey, frame);
            seen |= 1UL << key;
            r.Read();
            switch (key)
            {
                case 1: if (!ReadTime(ref r, frame, out time)) return false; break;
                case 2:
                    typeStart = 1;
                    if (!JsonFields.TryInt64(ref r, out type) || type < 0) return Malformed("depth type is not a DomType number", frame);
                    break;
                case 3:
                    sawPrice = true;
                    if (r.TokenType == JsonTokenType.Null) { sawPrice = false; break; }
                    if (!JsonFields.TryPrice(ref r, inst, out price)) return Malformed("depth price not exact at the instrument's scale", frame);
                    break;
                case 4:
                    sawVolume = true;
                    if (r.TokenType == JsonTokenType.Null) { sawVolume = false; break; }
                    if (!JsonFields.TryQuantity(ref r, inst, out volume)) return Malformed("depth volume not exact at the instrument's scale", frame);
                    break;
                default: r.Skip(); break;
            }
        }
        if (typeStart < 0) return Malformed("depth entry without a type", frame);
        if (time != 0)
        {
            // A book's levels may carry the time each last changed (old for a quiet level): only a time ahead is refused there.
            if (_snapshot ? time - receiveNs > Rules.MaxClockSkewNs : !Rules.WithinSkew(time, receiveNs)) return Malformed(Rules.SkewReason, frame);
            _depthTime = Math.Max(_depthTime, time);
        }
        switch ((DomType)type)
        {
            case DomType.Reset:
                // A whole book follows: what came before the reset in this message is superseded.
                _snapshot = true;
                _levelCount = 0;
                return true;
            case DomType.Ask or DomType.Bid or DomType.BestAsk or DomType.BestBid or DomType.NewBestBid or DomType.NewBestAsk:
                if (!sawPrice || !sawVolume) return Malformed("depth level without price or volume", frame);
                if (price <= 0 || volume < 0) return Malformed(FrameRules.BadLevel, frame);
                var side = (DomType)type is DomType.Bid or DomType.BestBid or DomType.NewBestBid ? BookSide.Bid : BookSide.Ask;
                if (_levelCount == _levels.Length) Array.Resize(ref _levels, _levels.Length * 2);
                _levels[_levelCount++] = new BookLevel { Side = (byte)side, Price = price, Quantity = volume, Time = time };
                return true;
            default:
                // Trade, Fill, Low, High and unknown types state no resting level (prints come as GatewayTrade).
                Counters.Control++;
                return true;
        }
    }

    private bool ParseTrade(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, long receiveNs)
    {
        var inst = _instrument!;
        long time = 0, price = 0, volume = 0, type = -1;
        ulong seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("timestamp"u8) ? 1 : r.ValueTextEquals("type"u8) ? 2 : r.ValueTextEquals("price"u8) ? 3 : r.ValueTextEquals("volume"u8) ? 4 : 0;
            if (key != 0 && (seen & (1UL << key)) != 0) return Malformed(FrameRules.DuplicateKey, frame);
            seen |= 1UL << key;
            r.Read();
            switch (key)
            {
                case 1: if (!ReadTime(ref r, frame, out time)) return false; break;
                case 2: if (!JsonFields.TryInt64(ref r, out type)) return Malformed("trade type is not a number", frame); break;
                case 3: if (!JsonFields.TryPrice(ref r, inst, out price)) return Malformed("trade price not exact at the instrument's scale", frame); break;
                case 4: if (!JsonFields.TryQuantity(ref r, inst, out volume)) return Malformed("trade volume not exact at the instrument's scale", frame); break;
                default: r.Skip(); break;
            }
        }
        if ((seen & 0b11110) != 0b11110) return Malformed("trade without timestamp, type, price or volume", frame);
        if (price <= 0) return Malformed(FrameRules.BadPrice, frame);
        if (volume <= 0) return Malformed(FrameRules.BadQuantity, frame);
        if (!Rules.WithinSkew(time, receiveNs)) return Malformed(Rules.SkewReason, frame);
        // The Gateway's TradeLogType: 0 the buyer was the aggressor, 1 the seller.
        byte side = type == 0 ? (byte)TradeSide.Buy : type == 1 ? (byte)TradeSide.Sell : (byte)TradeSide.Unknown;
        if (_tradeCount == _trades.Length) Array.Resize(ref _trades, _trades.Length * 2);
        _trades[_tradeCount++] = new TradeItem { Price = price, Quantity = volume, Time = time, Side = side };
        return true;
    }

    private bool ParseQuote(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, long receiveNs)
    {
        var inst = _instrument!;
        ulong seen = 0;
        long lastUpdated = 0, timestamp = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("bestBid"u8) ? 1 : r.ValueTextEquals("bestAsk"u8) ? 2 : r.ValueTextEquals("timestamp"u8) ? 3 : r.ValueTextEquals("lastUpdated"u8) ? 4 : 0;
            if (key != 0 && (seen & (1UL << key)) != 0) return Malformed(FrameRules.DuplicateKey, frame);
            seen |= 1UL << key;
            r.Read();
            if (r.TokenType == JsonTokenType.Null) continue; // a field the quote does not state now
            switch (key)
            {
                case 1:
                    if (!JsonFields.TryPrice(ref r, inst, out _bid) || _bid <= 0) return Malformed("quote bestBid not a positive price exact at the instrument's scale", frame);
                    _quoteBid = true;
                    break;
                case 2:
                    if (!JsonFields.TryPrice(ref r, inst, out _ask) || _ask <= 0) return Malformed("quote bestAsk not a positive price exact at the instrument's scale", frame);
                    _quoteAsk = true;
                    break;
                case 3: if (!ReadTime(ref r, frame, out timestamp)) return false; break;
                case 4: if (!ReadTime(ref r, frame, out lastUpdated)) return false; break;
                default: r.Skip(); break;
            }
        }
        // lastUpdated is when the quote's values last changed; timestamp when it was sent.
        _quoteTime = lastUpdated != 0 ? lastUpdated : timestamp;
        if (_quoteTime == 0) return Malformed("quote without timestamp or lastUpdated", frame);
        if (_quoteTime - receiveNs > Rules.MaxClockSkewNs) return Malformed(Rules.SkewReason, frame);
        _hasQuote = true;
        return true;
    }

    protected override void Commit(long receiveNs)
    {
        var inst = _instrument!;
        int id = inst.Id;
        switch (_target)
        {
            case Target.Depth:
            {
                if (!_snapshot && _levelCount == 0) return; // statistics only (Low, High, Trade entries)
                var book = InstrumentSlots.At(ref _books, id) ??= new BookLifecycle(inst, ProjectXSequenceRule.Instance, _publisher, Counters, Requester);
                ref long number = ref InstrumentSlots.At(ref _bookMessages, id);
                number++;
                var m = _message;
                m.Clear();
                m.FirstId = m.LastId = number;
                m.PrevLastId = -1;
                m.Snapshot = _snapshot;
                m.ReceiveTime = receiveNs;
                m.ExchangeTime = _depthTime;
                m.View(_levels, 0, _levelCount);
                book.OnMessage(m);
                break;
            }
            case Target.Trade:
                ref long trades = ref InstrumentSlots.At(ref _tradeNumbers, id);
                for (int k = 0; k < _tradeCount; k++)
                {
                    ref var t = ref _trades[k];
                    // ProjectX gives prints no id: they are numbered in the order received (a stored, rising integer).
                    _tradeLog.Publish(inst, ++trades, t.Price, t.Quantity, t.Time, receiveNs, t.Side, BookOf(id));
                }
                break;
            case Target.Quote:
                if (!_hasQuote) return;
                ref long quotes = ref InstrumentSlots.At(ref _quoteNumbers, id);
                quotes++;
                if (PublishQuotes)
                    _publisher.Quote(id, _quoteTime, receiveNs, quotes, _quoteBid ? _bid : 0, 0, _quoteAsk ? _ask : 0, 0);
                CheckQuote(inst, receiveNs);
                break;
        }
    }

    /// <summary>The quote's best prices against the book's: <see cref="QuoteMismatchesToInvalidate"/> disagreements in a row invalidate it.</summary>
    private void CheckQuote(Instrument inst, long receiveNs)
    {
        var book = BookOf(inst.Id);
        if (book is null || !book.IsSynced || !_quoteBid || !_quoteAsk ||
            !book.Book.TryBestBid(out long bid, out _) || !book.Book.TryBestAsk(out long ask, out _))
        {
            Counters.BookTickerUnchecked++;
            return;
        }
        ref int run = ref InstrumentSlots.At(ref _quoteMismatches, inst.Id);
        if (bid == _bid && ask == _ask)
        {
            Counters.BookTickerMatched++;
            run = 0;
            return;
        }
        Counters.BookTickerMismatched++;
        if (++run < QuoteMismatchesToInvalidate) return;
        run = 0;
        book.Invalidate(receiveNs, _quoteTime, bid != _bid ? bid : ask, bid != _bid ? _bid : _ask);
    }

    /// <summary>REST bodies (login, contract search) hold no market data: counted as control.</summary>
    public override void OnRest(ReadOnlySpan<byte> body, long receiveNs, string? url)
    {
        Counters.Frames++;
        Counters.Control++;
    }

    public override void OnSession(StatusKind kind, long receiveNs, bool books = true)
    {
        VenueTrades.PublishSession(_registry, _publisher, Name, kind, receiveNs, books, _books);
        if (kind == StatusKind.Disconnect) Array.Clear(_quoteMismatches);
    }
}
