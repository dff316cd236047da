using System.Text.Json;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues.Coinbase;

/// <summary>
/// Coinbase Advanced Trade frames (<c>l2_data</c>, <c>market_trades</c>, <c>ticker</c>; other channels counted as
/// control); continuity per connection under <see cref="CoinbaseSequenceRule"/>. Protocol notes:
/// docs/venues/coinbase.md. Producer thread only; allocation-free per frame in steady state.
/// </summary>
public sealed class CoinbaseAdapter : StreamVenueAdapter
{
    public const string Name = "coinbase";
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };
    private readonly InstrumentRegistry _registry;
    private readonly EventPublisher _publisher;
    private BookLifecycle?[] _books = new BookLifecycle?[16];
    private readonly VenueTrades _tradeLog;
    private long _lastSequence = -1;

    private struct BookEvent { public Instrument Instrument; public bool Snapshot; public int Start, Count; }
    private struct TradeItem { public Instrument Instrument; public long Id, Price, Quantity, Time; public byte Side; public bool Snapshot; }

    private BookLevel[] _levels = new BookLevel[1024];
    private int _levelCount;
    private readonly BookMessage _message = new();
    private BookEvent[] _bookEvents = new BookEvent[16];
    private int _bookEventCount;
    private TradeItem[] _trades = new TradeItem[256];
    private int _tradeCount;
    private long _sequence;
    private long _messageTime;

    public CoinbaseAdapter(InstrumentRegistry registry, EventPublisher publisher) : base(registry, publisher)
    {
        _registry = registry;
        _publisher = publisher;
        _tradeLog = new VenueTrades(publisher, Counters);
    }

    public override string Exchange => Name;

    /// <summary>The book kept for an instrument, if any.</summary>
    public BookLifecycle? BookOf(int instrumentId) => instrumentId < _books.Length ? _books[instrumentId] : null;

    protected override void Reset() => _levelCount = _bookEventCount = _tradeCount = _quoteCount = 0;

    private enum Channel { None, Level2, Trades, Control, Other, Ticker }

    protected override bool Parse(ReadOnlySpan<byte> frame, long receiveNs)
    {
        var r = new Utf8JsonReader(frame, Options);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("not a JSON object", frame); return false; }
        var channel = Channel.None;
        bool sawChannel = false, sawSequence = false, sawTime = false, sawEvents = false, sawType = false, controlType = false;
        int eventsStart = -1, eventsEnd = -1;
        _sequence = -1;
        _messageTime = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("channel"u8))
            {
                if (sawChannel) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawChannel = true;
                r.Read();
                if (r.TokenType != JsonTokenType.String) { Counters.AddMalformed("channel is not a string", frame); return false; }
                channel = r.ValueTextEquals("l2_data"u8) ? Channel.Level2
                    : r.ValueTextEquals("market_trades"u8) ? Channel.Trades
                    : PublishQuotes && r.ValueTextEquals("ticker"u8) ? Channel.Ticker
                    : r.ValueTextEquals("heartbeats"u8) || r.ValueTextEquals("subscriptions"u8) || r.ValueTextEquals("ticker"u8) ||
                      r.ValueTextEquals("ticker_batch"u8) || r.ValueTextEquals("candles"u8) || r.ValueTextEquals("status"u8) ? Channel.Control
                    : Channel.Other;
            }
            else if (r.ValueTextEquals("sequence_num"u8))
            {
                if (sawSequence) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawSequence = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out _sequence) || _sequence < 0) { Counters.AddMalformed("sequence_num is not a non-negative integer", frame); return false; }
            }
            else if (r.ValueTextEquals("timestamp"u8))
            {
                if (sawTime) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawTime = true;
                r.Read();
                if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || !IsoTime.TryParseUtc(r.ValueSpan, out _messageTime) || !FrameRules.InRange(_messageTime))
                { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return false; }
            }
            else if (r.ValueTextEquals("events"u8))
            {
                if (sawEvents) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawEvents = true;
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray) { Counters.AddMalformed("events is not an array", frame); return false; }
                eventsStart = (int)r.TokenStartIndex;
                r.Skip();
                eventsEnd = (int)r.BytesConsumed;
            }
            else
            {
                bool typeKey = r.ValueTextEquals("type"u8);
                r.Read();
                if (typeKey)
                {
                    // {"type":"error",...} and acknowledgements are control; a legacy Coinbase Pro frame
                    // ({"type":"l2update"|"match"|"ticker",...}) is a feed this adapter does not read: unknown.
                    sawType = true;
                    controlType = r.TokenType == JsonTokenType.String && (r.ValueTextEquals("error"u8) || r.ValueTextEquals("subscriptions"u8));
                }
                r.Skip();
            }
        }
        if (r.TokenType != JsonTokenType.EndObject || r.Read()) { Counters.AddMalformed("not valid JSON", frame); return false; }
        if (!sawChannel)
        {
            if (sawType)
            {
                if (controlType) Counters.Control++; // an error or an acknowledgement
                else Counters.Unknown++;
                return false;
            }
            Counters.AddMalformed("frame without a channel", frame);
            return false;
        }
        if (channel is Channel.Level2 or Channel.Trades or Channel.Ticker)
        {
            if (!sawSequence || !sawTime || eventsStart < 0) { Counters.AddMalformed("l2_data or market_trades frame without sequence_num, timestamp or events", frame); return false; }
            if (!Rules.WithinSkew(_messageTime, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, frame); return false; }
            _eventsBase = eventsStart;
            var e = new Utf8JsonReader(frame[eventsStart..eventsEnd], Options);
            e.Read();
            while (e.Read() && e.TokenType == JsonTokenType.StartObject)
                if (!ParseEvent(ref e, frame, channel, receiveNs)) return false;
            if (e.TokenType != JsonTokenType.EndArray) { Counters.AddMalformed("events is not an array of objects", frame); return false; }
            return true;
        }
        if (channel == Channel.Control) Counters.Control++;
        else Counters.Unknown++;
        return sawSequence; // the frame still counts in the connection's sequence
    }

    /// <summary>One event object; the reader is on its StartObject and ends on its EndObject.</summary>
    private bool ParseEvent(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, Channel channel, long receiveNs)
    {
        // Keys may come in any order: the arrays are found first and read once the product is known.
        int listStart = -1, listEnd = -1;
        bool snapshot = false, sawType = false, sawProduct = false;
        Instrument? inst = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("type"u8))
            {
                if (sawType) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawType = true;
                r.Read();
                if (r.ValueTextEquals("snapshot"u8)) snapshot = true;
                else if (!r.ValueTextEquals("update"u8)) { Counters.AddMalformed("event type is neither snapshot nor update", frame); return false; }
            }
            else if (r.ValueTextEquals("product_id"u8))
            {
                if (sawProduct) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawProduct = true;
                r.Read();
                if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || (inst = _registry.Resolve(Name, r.ValueSpan)) is null) { Counters.AddMalformed(FrameRules.BadSymbol, frame); return false; }
            }
            else if (r.ValueTextEquals(channel == Channel.Level2 ? "updates"u8 : channel == Channel.Ticker ? "tickers"u8 : "trades"u8))
            {
                if (listStart >= 0) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray) { Counters.AddMalformed("updates or trades is not an array", frame); return false; }
                listStart = _eventsBase + (int)r.TokenStartIndex;
                r.Skip();
                listEnd = _eventsBase + (int)r.BytesConsumed;
            }
            else { r.Read(); r.Skip(); }
        }
        if (!sawType || listStart < 0) { Counters.AddMalformed("event without type or its updates/trades", frame); return false; }
        var list = new Utf8JsonReader(frame[listStart..listEnd], Options);
        list.Read();
        if (channel == Channel.Level2)
        {
            if (inst is null) { Counters.AddMalformed("l2_data event without product_id", frame); return false; }
            int start = _levelCount;
            while (list.Read() && list.TokenType == JsonTokenType.StartObject)
                if (!ParseLevel(ref list, frame, inst, snapshot, receiveNs)) return false;
            if (_bookEventCount == _bookEvents.Length) Array.Resize(ref _bookEvents, _bookEvents.Length * 2);
            _bookEvents[_bookEventCount++] = new BookEvent { Instrument = inst, Snapshot = snapshot, Start = start, Count = _levelCount - start };
        }
        else if (channel == Channel.Ticker)
        {
            while (list.Read() && list.TokenType == JsonTokenType.StartObject)
                if (!ParseTicker(ref list, frame)) return false;
        }
        else
        {
            while (list.Read() && list.TokenType == JsonTokenType.StartObject)
                if (!ParseTrade(ref list, frame, snapshot, receiveNs)) return false;
        }
        return true;
    }

    private struct QuoteItem { public Instrument Instrument; public long Bid, BidQty, Ask, AskQty; }
    private QuoteItem[] _quotes = new QuoteItem[8];
    private int _quoteCount;

    /// <summary>One ticker of a ticker event: its best bid and ask (the quotes schema).</summary>
    private bool ParseTicker(ref Utf8JsonReader r, ReadOnlySpan<byte> frame)
    {
        ReadOnlySpan<byte> product = default, bid = default, bidQty = default, ask = default, askQty = default;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("product_id"u8) ? 1 : r.ValueTextEquals("best_bid"u8) ? 2 : r.ValueTextEquals("best_bid_quantity"u8) ? 3
                : r.ValueTextEquals("best_ask"u8) ? 4 : r.ValueTextEquals("best_ask_quantity"u8) ? 5 : 0;
            r.Read();
            if (key == 0) { r.Skip(); continue; }
            if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) { Counters.AddMalformed("ticker field is not a plain string", frame); return false; }
            switch (key)
            {
                case 1: product = r.ValueSpan; break;
                case 2: bid = r.ValueSpan; break;
                case 3: bidQty = r.ValueSpan; break;
                case 4: ask = r.ValueSpan; break;
                default: askQty = r.ValueSpan; break;
            }
        }
        var inst = _registry.Resolve(Name, product);
        if (inst is null) { Counters.AddMalformed(FrameRules.BadSymbol, frame); return false; }
        var q = new QuoteItem { Instrument = inst };
        if ((bid.Length > 0 && !inst.TryPrice(bid, out q.Bid)) || (bidQty.Length > 0 && !inst.TryQuantity(bidQty, out q.BidQty)) ||
            (ask.Length > 0 && !inst.TryPrice(ask, out q.Ask)) || (askQty.Length > 0 && !inst.TryQuantity(askQty, out q.AskQty)))
        { Counters.AddMalformed("ticker best bid or ask not exact at the instrument's scale", frame); return false; }
        if (q.Bid < 0 || q.Ask < 0 || q.BidQty < 0 || q.AskQty < 0) { Counters.AddMalformed(FrameRules.BadLevel, frame); return false; }
        if (_quoteCount == _quotes.Length) Array.Resize(ref _quotes, _quotes.Length * 2);
        _quotes[_quoteCount++] = q;
        return true;
    }

    /// <summary>Where the events array starts in the frame: offsets the events reader finds are relative to it.</summary>
    private int _eventsBase;

    private bool ParseLevel(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, Instrument inst, bool snapshot, long receiveNs)
    {
        ReadOnlySpan<byte> side = default, time = default, price = default, qty = default;
        ulong seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("side"u8) ? 1 : r.ValueTextEquals("event_time"u8) ? 2 : r.ValueTextEquals("price_level"u8) ? 3 : r.ValueTextEquals("new_quantity"u8) ? 4 : 0;
            if (key != 0 && (seen & (1UL << key)) != 0) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
            seen |= 1UL << key;
            r.Read();
            if (key == 0) { r.Skip(); continue; }
            if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) { Counters.AddMalformed("level field is not a plain string", frame); return false; }
            switch (key)
            {
                case 1: side = r.ValueSpan; break;
                case 2: time = r.ValueSpan; break;
                case 3: price = r.ValueSpan; break;
                default: qty = r.ValueSpan; break;
            }
        }
        BookSide s;
        if (side.SequenceEqual("bid"u8)) s = BookSide.Bid;
        else if (side.SequenceEqual("offer"u8) || side.SequenceEqual("ask"u8)) s = BookSide.Ask;
        else { Counters.AddMalformed("level side is neither bid nor offer", frame); return false; }
        if (!inst.TryPrice(price, out long px) ||
            !inst.TryQuantity(qty, out long q))
        { Counters.AddMalformed("level price or quantity missing or not exact at the instrument's scale", frame); return false; }
        if (px <= 0 || q < 0) { Counters.AddMalformed(FrameRules.BadLevel, frame); return false; }
        if (!IsoTime.TryParseUtc(time, out long ns) || !FrameRules.InRange(ns)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return false; }
        // A snapshot's levels carry the time each last changed (old for a quiet level): only a time ahead is refused.
        if (snapshot ? ns - receiveNs > Rules.MaxClockSkewNs : !Rules.WithinSkew(ns, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, frame); return false; }
        if (_levelCount == _levels.Length) Array.Resize(ref _levels, _levels.Length * 2);
        _levels[_levelCount++] = new BookLevel { Side = (byte)s, Price = px, Quantity = q, Time = ns };
        return true;
    }

    private bool ParseTrade(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, bool snapshot, long receiveNs)
    {
        ReadOnlySpan<byte> product = default, id = default, price = default, size = default, time = default, side = default;
        ulong seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("product_id"u8) ? 1 : r.ValueTextEquals("trade_id"u8) ? 2 : r.ValueTextEquals("price"u8) ? 3
                : r.ValueTextEquals("size"u8) ? 4 : r.ValueTextEquals("time"u8) ? 5 : r.ValueTextEquals("side"u8) ? 6 : 0;
            if (key != 0 && (seen & (1UL << key)) != 0) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
            seen |= 1UL << key;
            r.Read();
            if (key == 0) { r.Skip(); continue; }
            if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) { Counters.AddMalformed("trade field is not a plain string", frame); return false; }
            switch (key)
            {
                case 1: product = r.ValueSpan; break;
                case 2: id = r.ValueSpan; break;
                case 3: price = r.ValueSpan; break;
                case 4: size = r.ValueSpan; break;
                case 5: time = r.ValueSpan; break;
                default: side = r.ValueSpan; break;
            }
        }
        var inst = _registry.Resolve(Name, product);
        if (inst is null) { Counters.AddMalformed(FrameRules.BadSymbol, frame); return false; }
        if (!VenueTrades.TryInteger(id, out long tradeId)) { Counters.AddMalformed("trade_id is not an integer (this version stores integer trade ids)", frame); return false; }
        if (!inst.TryPrice(price, out long px) ||
            !inst.TryQuantity(size, out long q))
        { Counters.AddMalformed("trade price or size missing or not exact at the instrument's scale", frame); return false; }
        if (px <= 0) { Counters.AddMalformed(FrameRules.BadPrice, frame); return false; }
        if (q <= 0) { Counters.AddMalformed(FrameRules.BadQuantity, frame); return false; }
        if (!IsoTime.TryParseUtc(time, out long ns) || !FrameRules.InRange(ns)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return false; }
        // The trades sent at subscription are history (minutes or hours old): only a time ahead of receipt is refused.
        if (snapshot ? ns - receiveNs > Rules.MaxClockSkewNs : !Rules.WithinSkew(ns, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, frame); return false; }
        // side is the maker's: the taker took the other side.
        byte taker = side.SequenceEqual("BUY"u8) ? (byte)TradeSide.Sell : side.SequenceEqual("SELL"u8) ? (byte)TradeSide.Buy : (byte)TradeSide.Unknown;
        if (_tradeCount == _trades.Length) Array.Resize(ref _trades, _trades.Length * 2);
        _trades[_tradeCount++] = new TradeItem { Instrument = inst, Id = tradeId, Price = px, Quantity = q, Time = ns, Side = taker, Snapshot = snapshot };
        return true;
    }

    protected override void Commit(long receiveNs)
    {
        if (_sequence >= 0)
        {
            var verdict = CoinbaseSequenceRule.Instance.Check(_lastSequence, new SequenceFields(_sequence, -1, false));
            if (verdict == SequenceVerdict.Stale && _sequence == _lastSequence) { Counters.SequenceRepeats++; return; }
            if (verdict == SequenceVerdict.Stale)
            {
                // Behind the last number: the connection's count went back (a number far ahead before it became the
                // baseline, or the server restarted its count). Taken as a gap from here, never as a reason to drop
                // what follows: the books resync, the trades are kept, and the count goes on from this message.
                Counters.SequenceBackwards++;
                verdict = SequenceVerdict.Gap;
            }
            if (verdict == SequenceVerdict.Gap)
            {
                // The sequence is the connection's: every book of it missed something, and each is resubscribed (live).
                for (int i = 0; i < _books.Length; i++)
                {
                    _books[i]?.Gap(_lastSequence + 1, _sequence, _messageTime, receiveNs);
                }
            }
            _lastSequence = _sequence;
        }
        for (int b = 0; b < _bookEventCount; b++)
        {
            ref var ev = ref _bookEvents[b];
            var book = InstrumentSlots.At(ref _books, ev.Instrument.Id) ??= new BookLifecycle(ev.Instrument, CoinbaseSequenceRule.Books, _publisher, Counters, Requester);
            var m = _message;
            m.Clear();
            m.FirstId = m.LastId = _sequence;
            m.Snapshot = ev.Snapshot;
            m.ReceiveTime = receiveNs;
            if (ev.Snapshot)
            {
                // A snapshot is the book as of its latest level change (the message's timestamp is when it was sent,
                // after the updates that follow it were made): every row of it is stored at that time.
                long snapshotTime = 0;
                for (int i = 0; i < ev.Count; i++) snapshotTime = Math.Max(snapshotTime, _levels[ev.Start + i].Time);
                m.ExchangeTime = snapshotTime != 0 ? snapshotTime : _messageTime;
            }
            else
            {
                // Each update carries its own event time; the message's (for its markers) is the last of them.
                long lastTime = ev.Count > 0 ? _levels[ev.Start + ev.Count - 1].Time : 0;
                m.ExchangeTime = lastTime != 0 ? lastTime : _messageTime;
            }
            m.View(_levels, ev.Start, ev.Count);
            book.OnMessage(m);
        }
        for (int k = 0; k < _quoteCount; k++)
        {
            ref var q = ref _quotes[k];
            _publisher.Quote(q.Instrument.Id, _messageTime, receiveNs, _sequence, q.Bid, q.BidQty, q.Ask, q.AskQty);
        }
        // Trades in id order (Coinbase sends a batch newest first).
        bool descending = _tradeCount > 1 && _trades[0].Id > _trades[_tradeCount - 1].Id;
        for (int k = 0; k < _tradeCount; k++)
        {
            ref var t = ref _trades[descending ? _tradeCount - 1 - k : k];
            _tradeLog.Publish(t.Instrument, t.Id, t.Price, t.Quantity, t.Time, receiveNs, t.Side, BookOf(t.Instrument.Id), history: t.Snapshot);
        }
    }

    /// <summary>REST bodies (the products list) hold no market data this version stores: counted as control.</summary>
    public override void OnRest(ReadOnlySpan<byte> body, long receiveNs, string? url)
    {
        Counters.Frames++;
        Counters.Control++;
    }

    public override void OnSession(StatusKind kind, long receiveNs, bool books = true)
    {
        VenueTrades.PublishSession(_registry, _publisher, Name, kind, receiveNs, books, _books);
        // A new connection numbers its messages from its own start.
        if (kind is StatusKind.Connect or StatusKind.Disconnect) _lastSequence = -1;
    }
}
