using System.Text.Json;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Venues.Bybit;

/// <summary>
/// Bybit v5 public frames (<c>orderbook.N</c>, <c>publicTrade</c>, <c>tickers</c>) of every market; the market of a
/// frame comes from its connection (<see cref="IConnectionAware"/>): spot rows under <c>bybit-spot</c>, linear and
/// inverse under <c>bybit</c>. Books under <see cref="BybitSequenceRule"/>, checked against the tickers' best bid and
/// ask. Protocol notes: docs/venues/bybit.md. Producer thread only; allocation-free per frame in steady state.
/// </summary>
public sealed class BybitAdapter : StreamVenueAdapter, IConnectionAware
{
    public const string Derivatives = "bybit";
    public const string Spot = "bybit-spot";
    private const int History = 32, PendingTickers = 8;
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };

    private enum Market : byte { Unknown, Spot, Linear, Inverse, Option }
    private enum Channel : byte { None, Book, Trades, Tickers, Other }

    private readonly InstrumentRegistry _registry;
    private readonly EventPublisher _publisher;
    private readonly VenueTrades _tradeLog;
    private BookLifecycle?[] _books = new BookLifecycle?[16];
    private int[] _instrumentConnection = new int[16]; // per instrument: 1 + the connection it was last seen on
    private Market[] _connectionMarket = new Market[4];
    private int _connection = -1;
    // Spot and derivatives list the same symbols (BTCUSDT) with other increments: one table per market.
    private readonly InstrumentScales _scales, _spotScales;
    private readonly Func<string, (int Price, int Quantity)?> _scaleOf, _spotScaleOf;

    // Per book: the best bid and ask after each of its last messages, by cross sequence, and tickers waiting for the
    // book to pass their cs. Allocated once per instrument.
    private sealed class TickerCheck
    {
        public readonly long[] Seq = new long[History], Bid = new long[History], Ask = new long[History];
        public int Count, Next;
        public long TickBid, TickAsk; // the ticker's state, merged from snapshot and deltas (0 = not known)
        public long TickBidQty, TickAskQty, FundingRate, NextFunding, Mark, Index;
        public int FundingScale = FundingRates.DefaultScale;
        public readonly long[] PendingCs = new long[PendingTickers], PendingBid = new long[PendingTickers], PendingAsk = new long[PendingTickers];
        public readonly long[] PendingTime = new long[PendingTickers];
        public int Pending;
    }
    private TickerCheck?[] _tickers = new TickerCheck?[16];

    private struct TradeItem { public Instrument Instrument; public long IdHi, IdLo, IdForm, Price, Quantity, Time; public byte Side; }

    // The frame being read: committed only when all of it reads.
    private BookLevel[] _levels = new BookLevel[1024];
    private int _levelCount;
    private readonly BookMessage _message = new();
    private TradeItem[] _trades = new TradeItem[64];
    private int _tradeCount;
    private Instrument? _instrument;
    private bool _snapshot;
    private long _u, _seq, _bookTime, _messageTs, _cts, _cs, _tickerBid, _tickerAsk, _tickerBidQty, _tickerAskQty, _fundingRate, _nextFunding, _mark, _index;
    private int _fundingScale;
    private bool _hasBid, _hasAsk, _hasBidQty, _hasAskQty, _hasRate, _hasNext, _hasMark, _hasIndex;

    public BybitAdapter(InstrumentRegistry registry, EventPublisher publisher) : base(registry, publisher)
    {
        _registry = registry;
        _publisher = publisher;
        _tradeLog = new VenueTrades(publisher, Counters);
        _scales = new InstrumentScales(registry.DefaultPriceScale, registry.DefaultQuantityScale);
        _spotScales = new InstrumentScales(registry.DefaultPriceScale, registry.DefaultQuantityScale);
        _scaleOf = _scales.Of;
        _spotScaleOf = _spotScales.Of;
    }

    public override string Exchange => Derivatives;

    /// <summary>The book of an instrument, if it has one.</summary>
    public BookLifecycle? BookOf(int instrumentId) => instrumentId < _books.Length ? _books[instrumentId] : null;

    public void OnConnection(int connection, string? address)
    {
        _connection = connection;
        ref var market = ref InstrumentSlots.At(ref _connectionMarket, connection);
        if (market == Market.Unknown && address is not null) market = MarketOf(address);
    }

    private static Market MarketOf(string address)
    {
        string a = address.TrimEnd('/');
        return a.EndsWith("/spot", StringComparison.OrdinalIgnoreCase) ? Market.Spot
            : a.EndsWith("/linear", StringComparison.OrdinalIgnoreCase) ? Market.Linear
            : a.EndsWith("/inverse", StringComparison.OrdinalIgnoreCase) ? Market.Inverse
            : a.EndsWith("/option", StringComparison.OrdinalIgnoreCase) ? Market.Option : Market.Unknown;
    }

    private Market CurrentMarket => _connection >= 0 && _connection < _connectionMarket.Length ? _connectionMarket[_connection] : Market.Unknown;

    protected override void Reset()
    {
        _levelCount = _tradeCount = 0;
        _instrument = null;
        _channel = Channel.None;
    }

    private Channel _channel;

    protected override bool Parse(ReadOnlySpan<byte> frame, long receiveNs) => (_channel = ParseChannel(frame, receiveNs)) != Channel.None;

    protected override void Commit(long receiveNs)
    {
        switch (_channel)
        {
            case Channel.Book: CommitBook(receiveNs); break;
            case Channel.Trades: CommitTrades(receiveNs); break;
            case Channel.Tickers: CommitTicker(receiveNs); break;
        }
    }

    /// <summary>Reads the frame whole; returns the channel whose parsed content is to be committed, or None.</summary>
    private Channel ParseChannel(ReadOnlySpan<byte> frame, long receiveNs)
    {
        var r = new Utf8JsonReader(frame, Options);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("not a JSON object", frame); return Channel.None; }
        Channel channel = Channel.None;
        bool sawTopic = false, sawType = false, sawTs = false, sawCts = false, sawCs = false, sawData = false, sawOp = false;
        ReadOnlySpan<byte> topicSymbol = default;
        int dataStart = -1, dataEnd = -1;
        _snapshot = false;
        _messageTs = _cts = 0;
        _cs = -1;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("topic"u8))
            {
                if (sawTopic) return Duplicate(frame);
                sawTopic = true;
                r.Read();
                if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) { Counters.AddMalformed("topic is not a plain string", frame); return Channel.None; }
                var topic = r.ValueSpan;
                int dot = topic.LastIndexOf((byte)'.');
                var head = dot < 0 ? topic : topic[..dot];
                topicSymbol = dot < 0 ? default : topic[(dot + 1)..];
                channel = head.StartsWith("orderbook."u8) ? Channel.Book
                    : head.SequenceEqual("publicTrade"u8) ? Channel.Trades
                    : head.SequenceEqual("tickers"u8) ? Channel.Tickers : Channel.Other;
            }
            else if (r.ValueTextEquals("type"u8))
            {
                if (sawType) return Duplicate(frame);
                sawType = true;
                r.Read();
                if (r.ValueTextEquals("snapshot"u8)) _snapshot = true;
                else if (!r.ValueTextEquals("delta"u8)) { Counters.AddMalformed("type is neither snapshot nor delta", frame); return Channel.None; }
            }
            else if (r.ValueTextEquals("ts"u8))
            {
                if (sawTs) return Duplicate(frame);
                sawTs = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out long ms) || !FrameRules.TryTime(ms, 1_000_000, out _messageTs)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return Channel.None; }
            }
            else if (r.ValueTextEquals("cts"u8))
            {
                if (sawCts) return Duplicate(frame);
                sawCts = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out long ms) || !FrameRules.TryTime(ms, 1_000_000, out _cts)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return Channel.None; }
            }
            else if (r.ValueTextEquals("cs"u8))
            {
                if (sawCs) return Duplicate(frame);
                sawCs = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out _cs) || _cs < 0) { Counters.AddMalformed("cs is not a sequence number", frame); return Channel.None; }
            }
            else if (r.ValueTextEquals("data"u8))
            {
                if (sawData) return Duplicate(frame);
                sawData = true;
                r.Read();
                if (r.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray)) { Counters.AddMalformed("data is neither an object nor an array", frame); return Channel.None; }
                dataStart = (int)r.TokenStartIndex;
                r.Skip();
                dataEnd = (int)r.BytesConsumed;
            }
            else
            {
                if (r.ValueTextEquals("op"u8) || r.ValueTextEquals("success"u8) || r.ValueTextEquals("ret_msg"u8)) sawOp = true;
                r.Read();
                r.Skip();
            }
        }
        if (r.TokenType != JsonTokenType.EndObject || r.Read()) { Counters.AddMalformed("not valid JSON", frame); return Channel.None; }
        if (!sawTopic)
        {
            if (sawOp) { Counters.Control++; return Channel.None; } // subscribe acknowledgements, pong
            Counters.AddMalformed("frame without topic or op", frame);
            return Channel.None;
        }
        if (channel == Channel.Other) { Counters.Unknown++; return Channel.None; } // klines, liquidations, ...
        var market = CurrentMarket;
        if (market == Market.Unknown) { Counters.AddMalformed("a Bybit frame on a connection whose market (spot, linear, inverse) is not known from its URL", frame); return Channel.None; }
        if (market == Market.Option) { Counters.Unknown++; return Channel.None; } // options: not recorded in this version
        if (!sawData || !sawType) { Counters.AddMalformed("frame without type or data", frame); return Channel.None; }
        if (!sawTs) { Counters.AddMalformed("frame without ts", frame); return Channel.None; }
        string exchange = market == Market.Spot ? Spot : Derivatives;
        var ids = market == Market.Spot ? TradeIdKind.Integer : TradeIdKind.Text;
        _instrument = _registry.Resolve(exchange, topicSymbol, ids, market == Market.Spot ? _spotScaleOf : _scaleOf);
        if (_instrument is null) { Counters.AddMalformed(FrameRules.BadSymbol, frame); return Channel.None; }
        var d = new Utf8JsonReader(frame[dataStart..dataEnd], Options);
        d.Read();
        switch (channel)
        {
            case Channel.Book:
                if (d.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("orderbook data is not an object", frame); return Channel.None; }
                return ParseBook(ref d, frame, receiveNs) ? Channel.Book : Channel.None;
            case Channel.Trades:
                if (d.TokenType != JsonTokenType.StartArray) { Counters.AddMalformed("publicTrade data is not an array", frame); return Channel.None; }
                while (d.Read() && d.TokenType == JsonTokenType.StartObject)
                    if (!ParseTrade(ref d, frame, receiveNs)) return Channel.None;
                if (d.TokenType != JsonTokenType.EndArray) { Counters.AddMalformed("publicTrade data is not an array of objects", frame); return Channel.None; }
                return Channel.Trades;
            default:
                if (d.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("tickers data is not an object", frame); return Channel.None; }
                return ParseTicker(ref d, frame) ? Channel.Tickers : Channel.None;
        }
    }

    private Channel Duplicate(ReadOnlySpan<byte> frame)
    {
        Counters.AddMalformed(FrameRules.DuplicateKey, frame);
        return Channel.None;
    }

    private bool ParseBook(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, long receiveNs)
    {
        var inst = _instrument!;
        bool sawBids = false, sawAsks = false, sawU = false, sawSeq = false, sawS = false;
        _seq = -1;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("b"u8) || r.ValueTextEquals("a"u8))
            {
                bool bids = r.ValueTextEquals("b"u8);
                if (bids ? sawBids : sawAsks) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                if (bids) sawBids = true; else sawAsks = true;
                if (!BookLevels.Read(ref r, bids ? BookSide.Bid : BookSide.Ask, inst, ref _levels, ref _levelCount, fields: 2, Counters, frame)) return false;
            }
            else if (r.ValueTextEquals("u"u8))
            {
                if (sawU) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawU = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out _u) || _u < 1) { Counters.AddMalformed("u is not an update id", frame); return false; }
            }
            else if (r.ValueTextEquals("seq"u8))
            {
                if (sawSeq) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawSeq = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out _seq) || _seq < 0) { Counters.AddMalformed("seq is not a sequence number", frame); return false; }
            }
            else if (r.ValueTextEquals("s"u8))
            {
                if (sawS) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawS = true;
                r.Read();
                if (r.TokenType != JsonTokenType.String || !SameSymbol(inst, r.ValueSpan)) { Counters.AddMalformed("the data's symbol is not the topic's", frame); return false; }
            }
            else { r.Read(); r.Skip(); }
        }
        if (!sawU || (!sawBids && !sawAsks)) { Counters.AddMalformed("orderbook data without u, b or a", frame); return false; }
        _bookTime = _cts != 0 ? _cts : _messageTs;
        // Skew is about when a message was sent, not how old a level is: a snapshot of a quiet book carries the
        // matching engine's time of its last change (cts), which may be long past; its send time (ts) is bounded
        // both ways, its book time only ahead. An update's book time is bounded both ways.
        bool fresh = _snapshot
            ? Rules.WithinSkew(_messageTs, receiveNs) && _bookTime - receiveNs <= Rules.MaxClockSkewNs
            : Rules.WithinSkew(_bookTime, receiveNs);
        if (!fresh) { Counters.AddMalformed(Rules.SkewReason, frame); return false; }
        return true;
    }

    private bool ParseTrade(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, long receiveNs)
    {
        ReadOnlySpan<byte> symbol = default, id = default, px = default, qty = default, side = default;
        long ms = -1;
        ulong seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("s"u8) ? 1 : r.ValueTextEquals("i"u8) ? 2 : r.ValueTextEquals("p"u8) ? 3
                : r.ValueTextEquals("v"u8) ? 4 : r.ValueTextEquals("S"u8) ? 5 : r.ValueTextEquals("T"u8) ? 6 : 0;
            if (key != 0 && (seen & (1UL << key)) != 0) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
            seen |= 1UL << key;
            r.Read();
            if (key == 0) { r.Skip(); continue; }
            if (key == 6)
            {
                if (!JsonFields.TryInt64(ref r, out ms)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return false; }
                continue;
            }
            if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) { Counters.AddMalformed("trade field is not a plain string", frame); return false; }
            switch (key)
            {
                case 1: symbol = r.ValueSpan; break;
                case 2: id = r.ValueSpan; break;
                case 3: px = r.ValueSpan; break;
                case 4: qty = r.ValueSpan; break;
                default: side = r.ValueSpan; break;
            }
        }
        var inst = _instrument!;
        if (!symbol.IsEmpty && !SameSymbol(inst, symbol)) { Counters.AddMalformed("the trade's symbol is not the topic's", frame); return false; }
        long hi, lo = 0, form = TradeIds.FormInteger;
        if (inst.TradeIds == TradeIdKind.Text ? !TradeIds.TryEncode(id, out hi, out lo, out form) : !TradeIds.TryInteger(id, out hi))
        { Counters.AddMalformed("trade id i missing or not storable exactly (spot: digits; contracts: a UUID or text)", frame); return false; }
        if (!inst.TryPrice(px, out long price) || !inst.TryQuantity(qty, out long quantity))
        { Counters.AddMalformed("trade p or v missing or not exact at the instrument's scale", frame); return false; }
        if (price <= 0) { Counters.AddMalformed(FrameRules.BadPrice, frame); return false; }
        if (quantity <= 0) { Counters.AddMalformed(FrameRules.BadQuantity, frame); return false; }
        if (ms < 0 || !FrameRules.TryTime(ms, 1_000_000, out long ns)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return false; }
        if (!Rules.WithinSkew(ns, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, frame); return false; }
        byte s = side.SequenceEqual("Buy"u8) ? (byte)TradeSide.Buy : side.SequenceEqual("Sell"u8) ? (byte)TradeSide.Sell : (byte)TradeSide.Unknown;
        if (_tradeCount == _trades.Length) Array.Resize(ref _trades, _trades.Length * 2);
        _trades[_tradeCount++] = new TradeItem { Instrument = inst, IdHi = hi, IdLo = lo, IdForm = form, Price = price, Quantity = quantity, Time = ns, Side = s };
        return true;
    }

    private bool ParseTicker(ref Utf8JsonReader r, ReadOnlySpan<byte> frame)
    {
        var inst = _instrument!;
        _hasBid = _hasAsk = _hasBidQty = _hasAskQty = _hasRate = _hasNext = _hasMark = _hasIndex = false;
        bool sawSymbol = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            bool bid = r.ValueTextEquals("bid1Price"u8), ask = !bid && r.ValueTextEquals("ask1Price"u8);
            int other = bid || ask ? 0 : r.ValueTextEquals("bid1Size"u8) ? 1 : r.ValueTextEquals("ask1Size"u8) ? 2 : r.ValueTextEquals("fundingRate"u8) ? 3
                : r.ValueTextEquals("nextFundingTime"u8) ? 4 : r.ValueTextEquals("markPrice"u8) ? 5 : r.ValueTextEquals("indexPrice"u8) ? 6 : 0;
            if (other != 0)
            {
                // Read only when a schema stores them: a ticker's other fields are no check of the book.
                r.Read();
                if (!(other <= 2 ? PublishQuotes : PublishFunding)) { r.Skip(); continue; }
                if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) { Counters.AddMalformed("ticker field is not a plain string", frame); return false; }
                var text = r.ValueSpan;
                bool ok = text.Length == 0 || other switch
                {
                    1 => inst.TryQuantity(text, out _tickerBidQty),
                    2 => inst.TryQuantity(text, out _tickerAskQty),
                    3 => FundingRates.TryParse(text, out _fundingRate, out _fundingScale),
                    4 => VenueTrades.TryInteger(text, out long ms) && FrameRules.TryTime(ms, 1_000_000, out _nextFunding),
                    5 => inst.TryPrice(text, out _mark),
                    _ => inst.TryPrice(text, out _index),
                };
                if (!ok) { Counters.AddMalformed("ticker size, funding, mark or index field not exact", frame); return false; }
                if (text.Length == 0) { if (other == 1) _tickerBidQty = 0; else if (other == 2) _tickerAskQty = 0; else if (other == 5) _mark = 0; else if (other == 6) _index = 0; }
                switch (other) { case 1: _hasBidQty = true; break; case 2: _hasAskQty = true; break; case 3: _hasRate = text.Length > 0; break; case 4: _hasNext = text.Length > 0; break; case 5: _hasMark = true; break; default: _hasIndex = true; break; }
                continue;
            }
            if (bid || ask)
            {
                if (bid ? _hasBid : _hasAsk) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                r.Read();
                // An empty price (no order on that side) is kept as 0: not a level to compare.
                long px = 0;
                if (r.TokenType != JsonTokenType.String || (r.ValueSpan.Length > 0 && !inst.TryPrice(r.ValueSpan, out px)) || px < 0)
                { Counters.AddMalformed("ticker bid1Price or ask1Price not exact at the instrument's scale", frame); return false; }
                if (bid) { _hasBid = true; _tickerBid = px; } else { _hasAsk = true; _tickerAsk = px; }
            }
            else if (r.ValueTextEquals("symbol"u8))
            {
                if (sawSymbol) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawSymbol = true;
                r.Read();
                if (r.TokenType != JsonTokenType.String || !SameSymbol(inst, r.ValueSpan)) { Counters.AddMalformed("the ticker's symbol is not the topic's", frame); return false; }
            }
            else { r.Read(); r.Skip(); }
        }
        return true;
    }

    private static bool SameSymbol(Instrument inst, ReadOnlySpan<byte> symbol)
    {
        if (symbol.Length != inst.Symbol.Length) return false;
        for (int i = 0; i < symbol.Length; i++)
            if (char.ToUpperInvariant((char)symbol[i]) != inst.Symbol[i]) return false;
        return true;
    }

    private void CommitBook(long receiveNs)
    {
        var inst = _instrument!;
        InstrumentSlots.At(ref _instrumentConnection, inst.Id) = _connection + 1;
        var book = InstrumentSlots.At(ref _books, inst.Id) ??= new BookLifecycle(inst, BybitSequenceRule.Instance, _publisher, Counters, Requester);
        var m = _message;
        m.Clear();
        m.FirstId = m.LastId = _u;
        m.Snapshot = _snapshot;
        m.ExchangeTime = _bookTime;
        m.ReceiveTime = receiveNs;
        m.View(_levels, 0, _levelCount);
        var outcome = book.OnMessage(m);
        if (outcome == BookOutcome.Replaced)
        {
            var check = InstrumentSlots.At(ref _tickers, inst.Id);
            if (check is not null) check.Count = check.Next = check.Pending = 0; // the book's history starts again
        }
        if (!book.IsSynced || outcome is not (BookOutcome.Applied or BookOutcome.Replaced)) return;
        if (_seq < 0) return;
        var c = InstrumentSlots.At(ref _tickers, inst.Id) ??= new TickerCheck();
        book.Book.TryBestBid(out long bestBid, out _);
        book.Book.TryBestAsk(out long bestAsk, out _);
        c.Seq[c.Next] = _seq;
        c.Bid[c.Next] = bestBid;
        c.Ask[c.Next] = bestAsk;
        c.Next = (c.Next + 1) % History;
        if (c.Count < History) c.Count++;
        // Tickers cut before this message can be judged now that the book has passed their cs.
        int kept = 0;
        for (int k = 0; k < c.Pending; k++)
        {
            if (c.PendingCs[k] < _seq) Judge(book, c, c.PendingCs[k], c.PendingBid[k], c.PendingAsk[k], c.PendingTime[k], receiveNs);
            else
            {
                c.PendingCs[kept] = c.PendingCs[k]; c.PendingBid[kept] = c.PendingBid[k]; c.PendingAsk[kept] = c.PendingAsk[k]; c.PendingTime[kept] = c.PendingTime[k];
                kept++;
            }
        }
        c.Pending = kept;
    }

    private void CommitTrades(long receiveNs)
    {
        for (int k = 0; k < _tradeCount; k++)
        {
            ref var t = ref _trades[k];
            InstrumentSlots.At(ref _instrumentConnection, t.Instrument.Id) = _connection + 1;
            _tradeLog.Publish(t.Instrument, t.IdHi, t.Price, t.Quantity, t.Time, receiveNs, t.Side, BookOf(t.Instrument.Id), idLo: t.IdLo, idForm: t.IdForm);
        }
    }

    /// <summary>
    /// The ticker's merged state as rows, when the recording asks: a quote when this message moved the top of the book
    /// (its cross sequence as the update id), a funding row when it moved the funding, mark or index (derivatives).
    /// </summary>
    private void PublishTickerRows(TickerCheck c, Instrument inst, long receiveNs)
    {
        if (PublishQuotes && (_hasBid || _hasAsk || _hasBidQty || _hasAskQty) && (c.TickBid != 0 || c.TickAsk != 0))
        {
            _publisher.Quote(inst.Id, _messageTs, receiveNs, Math.Max(0, _cs), c.TickBid, c.TickBid != 0 ? c.TickBidQty : 0, c.TickAsk, c.TickAsk != 0 ? c.TickAskQty : 0);
        }
        if (!PublishFunding || CurrentMarket == Market.Spot) return;
        if (_hasRate)
        {
            // A rate with more decimals than the instrument's funding rows had moves them to its scale (a new part).
            if (_fundingScale > c.FundingScale) c.FundingScale = _fundingScale;
            c.FundingRate = _fundingRate * Storage.Numerics.FixedDecimal.PowerOf10(c.FundingScale - _fundingScale);
        }
        if (_hasNext) c.NextFunding = _nextFunding;
        if (_hasMark) c.Mark = _mark;
        if (_hasIndex) c.Index = _index;
        if (!(_hasRate || _hasNext || _hasMark || _hasIndex)) return;
        _publisher.Funding(inst.Id, _messageTs, receiveNs, c.FundingRate, c.FundingScale, c.NextFunding, c.Mark, c.Index);
    }

    private void CommitTicker(long receiveNs)
    {
        var inst = _instrument!;
        Counters.Control++;
        var c = InstrumentSlots.At(ref _tickers, inst.Id) ??= new TickerCheck();
        if (_snapshot) c.TickBid = c.TickAsk = c.TickBidQty = c.TickAskQty = c.Mark = c.Index = 0;
        if (_hasBid) c.TickBid = _tickerBid;
        if (_hasAsk) c.TickAsk = _tickerAsk;
        if (_hasBidQty) c.TickBidQty = _tickerBidQty;
        if (_hasAskQty) c.TickAskQty = _tickerAskQty;
        PublishTickerRows(c, inst, receiveNs);
        if (!_hasBid && !_hasAsk) return; // nothing about the top of the book (spot tickers, other fields' deltas)
        var book = BookOf(inst.Id);
        if (_cs < 0 || c.TickBid == 0 || c.TickAsk == 0 || book is null || !book.IsSynced || c.Count == 0) { Counters.BookTickerUnchecked++; return; }
        long lastSeq = c.Seq[(c.Next + History - 1) % History];
        if (_cs < lastSeq) { Judge(book, c, _cs, c.TickBid, c.TickAsk, _messageTs, receiveNs); return; }
        if (c.Pending == PendingTickers) { Counters.BookTickerUnchecked++; return; } // the book has stopped moving: keep the newest few
        c.PendingCs[c.Pending] = _cs;
        c.PendingBid[c.Pending] = c.TickBid;
        c.PendingAsk[c.Pending] = c.TickAsk;
        c.PendingTime[c.Pending] = _messageTs;
        c.Pending++;
    }

    /// <summary>
    /// A ticker cut at <paramref name="cs"/> against the book after the last message with seq &lt;= cs, and after the
    /// next one: it matches when either state has its best bid and ask.
    /// </summary>
    private void Judge(BookLifecycle book, TickerCheck c, long cs, long bid, long ask, long exchangeNs, long receiveNs)
    {
        int newest = (c.Next + History - 1) % History;
        int at = -1;
        for (int k = 0; k < c.Count; k++)
        {
            int i = (newest - k + History) % History;
            if (c.Seq[i] <= cs) { at = i; break; }
        }
        if (at < 0) { Counters.BookTickerUnchecked++; return; } // older than the history kept
        int next = (at + 1) % History;
        bool hasNext = at != newest;
        if ((c.Bid[at] == bid && c.Ask[at] == ask) || (hasNext && c.Bid[next] == bid && c.Ask[next] == ask)) Counters.BookTickerMatched++;
        else
        {
            Counters.BookTickerMismatched++;
            book.Invalidate(receiveNs, exchangeNs, bid, ask);
        }
    }

    /// <summary>
    /// <c>instruments-info</c> bodies give each symbol's tick size and quantity step (spot: base precision), from which
    /// its scales follow (at least 8 decimals, at most 18); other REST bodies are counted as control.
    /// </summary>
    public override void OnRest(ReadOnlySpan<byte> body, long receiveNs, string? url)
    {
        Counters.Frames++;
        Counters.Control++;
        if (url is null || !url.Contains("instruments-info", StringComparison.Ordinal)) return;
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray()); // REST, off the frame path
            if (!doc.RootElement.TryGetProperty("result", out var result) || !result.TryGetProperty("list", out var list)) return;
            bool spot = url.Contains("category=spot", StringComparison.Ordinal) ||
                        (result.TryGetProperty("category", out var category) && category.ValueKind == JsonValueKind.String && category.GetString() == "spot");
            (spot ? _spotScales : _scales).Read(list, "symbol", "priceFilter.tickSize", "lotSizeFilter.qtyStep", "lotSizeFilter.basePrecision");
        }
        catch (JsonException)
        {
            Counters.AddMalformed("instruments-info body is not valid JSON", body);
        }
    }

    /// <summary>A session marker for the instruments last seen on the current connection (all of them when it is not known).</summary>
    public override void OnSession(StatusKind kind, long receiveNs, bool books = true)
    {
        foreach (var inst in _registry.All)
        {
            if (inst.Exchange is not (Derivatives or Spot)) continue;
            if (_connection >= 0 && InstrumentSlots.At(ref _instrumentConnection, inst.Id) != _connection + 1) continue;
            _publisher.Status(inst.Id, kind, receiveNs);
            if (kind == StatusKind.Disconnect && books) BookOf(inst.Id)?.OnDisconnect();
        }
        _publisher.Publish();
    }
}
