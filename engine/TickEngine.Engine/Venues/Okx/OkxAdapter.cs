using System.Text.Json;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues.Okx;

/// <summary>
/// OKX v5 public frames (the <c>books</c> channels, <c>trades</c>, <c>tickers</c>, <c>funding-rate</c>,
/// <c>mark-price</c>) of every instrument type on one connection; books under <see cref="OkxSequenceRule"/> with every
/// <see cref="OkxChecksum"/> verified. Protocol notes: docs/venues/okx.md. Producer thread only; allocation-free per
/// frame in steady state.
/// </summary>
public sealed class OkxAdapter : StreamVenueAdapter
{
    public const string Name = "okx";
    private static readonly JsonReaderOptions Options = new() { MaxDepth = 16, CommentHandling = JsonCommentHandling.Disallow };
    private readonly InstrumentRegistry _registry;
    private readonly EventPublisher _publisher;
    private BookLifecycle?[] _books = new BookLifecycle?[16];
    private readonly VenueTrades _tradeLog;
    private bool[] _tradeSeen = new bool[16];

    private struct BookItem { public long Time, SeqId, PrevSeqId; public int Checksum, Start, Count; }
    private struct TradeItem { public Instrument Instrument; public long Id, Price, Quantity, Time; public byte Side; public bool History; }

    private BookLevel[] _levels = new BookLevel[1024];
    private int _levelCount;
    private readonly BookMessage _message = new();
    private BookItem[] _bookItems = new BookItem[4];
    private int _bookCount;
    private TradeItem[] _trades = new TradeItem[64];
    private int _tradeCount;
    private Instrument? _instrument;
    private bool _snapshot;
    private int _depthRank;
    private int[] _bookRank = new int[16]; // per instrument: 1 + the rank of the channel its book comes from (0: none yet)

    private readonly InstrumentScales _scales;
    private readonly Func<string, (int Price, int Quantity)?> _scaleOf;

    public OkxAdapter(InstrumentRegistry registry, EventPublisher publisher) : base(registry, publisher)
    {
        _scales = new InstrumentScales(registry.DefaultPriceScale, registry.DefaultQuantityScale);
        _scaleOf = _scales.Of;
        _registry = registry;
        _publisher = publisher;
        _tradeLog = new VenueTrades(publisher, Counters);
    }

    public override string Exchange => Name;

    public BookLifecycle? BookOf(int instrumentId) => instrumentId < _books.Length ? _books[instrumentId] : null;

    protected override bool IsControlText(ReadOnlySpan<byte> frame) => frame.SequenceEqual("pong"u8); // the answer to our ping

    protected override void Reset()
    {
        _levelCount = _bookCount = _tradeCount = _valueCount = 0;
        _instrument = null;
    }

    private enum Channel { None, Books, Trades, Control, Other, Tickers, FundingRate, MarkPrice }

    protected override bool Parse(ReadOnlySpan<byte> frame, long receiveNs)
    {
        var r = new Utf8JsonReader(frame, Options);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("not a JSON object", frame); return false; }
        var channel = Channel.None;
        bool sawArg = false, sawAction = false, sawEvent = false, sawData = false;
        int dataStart = -1, dataEnd = -1;
        _snapshot = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("arg"u8))
            {
                if (sawArg) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawArg = true;
                r.Read();
                if (r.TokenType != JsonTokenType.StartObject) { Counters.AddMalformed("arg is not an object", frame); return false; }
                bool sawChannel = false, sawInst = false;
                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    if (r.ValueTextEquals("channel"u8))
                    {
                        if (sawChannel) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                        sawChannel = true;
                        r.Read();
                        // Book channels, deepest first: books and books-l2-tbt (400 levels), books50-l2-tbt (50), each a
                        // snapshot then updates; books5 (5) and bbo-tbt (1), each message a whole book.
                        _depthRank = r.ValueTextEquals("books"u8) || r.ValueTextEquals("books-l2-tbt"u8) ? 3
                            : r.ValueTextEquals("books50-l2-tbt"u8) ? 2 : r.ValueTextEquals("books5"u8) ? 1 : r.ValueTextEquals("bbo-tbt"u8) ? 0 : -1;
                        channel = _depthRank >= 0 ? Channel.Books : r.ValueTextEquals("trades"u8) ? Channel.Trades
                            : r.ValueTextEquals("tickers"u8) ? (PublishQuotes ? Channel.Tickers : Channel.Control)
                            : r.ValueTextEquals("funding-rate"u8) ? (PublishFunding ? Channel.FundingRate : Channel.Control)
                            : r.ValueTextEquals("mark-price"u8) ? (PublishFunding ? Channel.MarkPrice : Channel.Control) : Channel.Other;
                    }
                    else if (r.ValueTextEquals("instId"u8))
                    {
                        if (sawInst) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                        sawInst = true;
                        r.Read();
                        if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped || (_instrument = _registry.Resolve(Name, r.ValueSpan, scales: _scaleOf)) is null)
                        { Counters.AddMalformed(FrameRules.BadSymbol, frame); return false; }
                    }
                    else { r.Read(); r.Skip(); }
                }
            }
            else if (r.ValueTextEquals("action"u8))
            {
                if (sawAction) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawAction = true;
                r.Read();
                if (r.ValueTextEquals("snapshot"u8)) _snapshot = true;
                else if (!r.ValueTextEquals("update"u8)) { Counters.AddMalformed("action is neither snapshot nor update", frame); return false; }
            }
            else if (r.ValueTextEquals("data"u8))
            {
                if (sawData) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawData = true;
                r.Read();
                if (r.TokenType != JsonTokenType.StartArray) { Counters.AddMalformed("data is not an array", frame); return false; }
                dataStart = (int)r.TokenStartIndex;
                r.Skip();
                dataEnd = (int)r.BytesConsumed;
            }
            else
            {
                if (r.ValueTextEquals("event"u8)) sawEvent = true;
                r.Read();
                r.Skip();
            }
        }
        if (r.TokenType != JsonTokenType.EndObject || r.Read()) { Counters.AddMalformed("not valid JSON", frame); return false; }
        if (!sawData)
        {
            if (sawEvent) { Counters.Control++; return false; } // subscribe acknowledgements, errors, notices
            Counters.AddMalformed("frame without data or event", frame);
            return false;
        }
        if (channel == Channel.Control) { Counters.Control++; return false; }
        if (channel is Channel.Tickers or Channel.FundingRate or Channel.MarkPrice)
        {
            if (_instrument is null) { Counters.AddMalformed("frame without instId", frame); return false; }
            var t = new Utf8JsonReader(frame[dataStart..dataEnd], Options);
            t.Read();
            while (t.Read() && t.TokenType == JsonTokenType.StartObject)
                if (!ParseValues(ref t, frame, channel, receiveNs)) return false;
            if (t.TokenType != JsonTokenType.EndArray) { Counters.AddMalformed("data is not an array of objects", frame); return false; }
            return _valueCount > 0;
        }
        if (channel != Channel.Books && channel != Channel.Trades) { Counters.Unknown++; return false; }
        if (channel == Channel.Books)
        {
            if (_depthRank <= 1) _snapshot = true; // books5 and bbo-tbt: every message is the whole (top of the) book
            if (_instrument is null || (!sawAction && _depthRank > 1)) { Counters.AddMalformed("books frame without instId or action", frame); return false; }
            // One book per instrument, fed by the deepest channel subscribed: a shallower channel's frames are left.
            ref int rank = ref InstrumentSlots.At(ref _bookRank, _instrument.Id);
            if (_depthRank + 1 < rank) { Counters.ShallowerBookFrames++; return false; }
            rank = _depthRank + 1;
        }
        var d = new Utf8JsonReader(frame[dataStart..dataEnd], Options);
        d.Read();
        while (d.Read() && d.TokenType == JsonTokenType.StartObject)
            if (!(channel == Channel.Books ? ParseBook(ref d, frame, receiveNs) : ParseTrade(ref d, frame, receiveNs))) return false;
        if (d.TokenType != JsonTokenType.EndArray) { Counters.AddMalformed("data is not an array of objects", frame); return false; }
        return true;
    }

    private bool ParseBook(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, long receiveNs)
    {
        var inst = _instrument!;
        var item = new BookItem { SeqId = -1, PrevSeqId = -1, Start = _levelCount };
        bool sawBids = false, sawAsks = false, sawTs = false, sawChecksum = false, sawSeq = false, sawPrev = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("bids"u8) || r.ValueTextEquals("asks"u8))
            {
                bool bids = r.ValueTextEquals("bids"u8);
                if (bids ? sawBids : sawAsks) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                if (bids) sawBids = true; else sawAsks = true;
                if (!BookLevels.Read(ref r, bids ? BookSide.Bid : BookSide.Ask, inst, ref _levels, ref _levelCount, fields: 0, Counters, frame)) return false;
            }
            else if (r.ValueTextEquals("ts"u8))
            {
                if (sawTs) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawTs = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out long ms) || !FrameRules.TryTime(ms, 1_000_000, out item.Time)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return false; }
            }
            else if (r.ValueTextEquals("checksum"u8))
            {
                if (sawChecksum) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawChecksum = true;
                r.Read();
                if (r.TokenType != JsonTokenType.Number || !r.TryGetInt32(out item.Checksum)) { Counters.AddMalformed("checksum is not a 32-bit integer", frame); return false; }
            }
            else if (r.ValueTextEquals("seqId"u8))
            {
                if (sawSeq) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawSeq = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out item.SeqId)) { Counters.AddMalformed("seqId is not an integer", frame); return false; }
            }
            else if (r.ValueTextEquals("prevSeqId"u8))
            {
                if (sawPrev) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
                sawPrev = true;
                r.Read();
                if (!JsonFields.TryInt64(ref r, out item.PrevSeqId)) { Counters.AddMalformed("prevSeqId is not an integer", frame); return false; }
            }
            else { r.Read(); r.Skip(); }
        }
        if (!sawTs) { Counters.AddMalformed("books data without ts", frame); return false; }
        // A snapshot's ts is when its book was made, long ago for a quiet instrument (an option): only a time ahead
        // of receipt is refused; an update's is bounded both ways.
        if (_snapshot ? item.Time - receiveNs > Rules.MaxClockSkewNs : !Rules.WithinSkew(item.Time, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, frame); return false; }
        item.Count = _levelCount - item.Start;
        if (_bookCount == _bookItems.Length) Array.Resize(ref _bookItems, _bookItems.Length * 2);
        _bookItems[_bookCount++] = item;
        return true;
    }

    private bool ParseTrade(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, long receiveNs)
    {
        ReadOnlySpan<byte> inst = default, id = default, px = default, sz = default, side = default, ts = default;
        ulong seen = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("instId"u8) ? 1 : r.ValueTextEquals("tradeId"u8) ? 2 : r.ValueTextEquals("px"u8) ? 3
                : r.ValueTextEquals("sz"u8) ? 4 : r.ValueTextEquals("side"u8) ? 5 : r.ValueTextEquals("ts"u8) ? 6 : 0;
            if (key != 0 && (seen & (1UL << key)) != 0) { Counters.AddMalformed(FrameRules.DuplicateKey, frame); return false; }
            seen |= 1UL << key;
            r.Read();
            if (key == 0) { r.Skip(); continue; }
            if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) { Counters.AddMalformed("trade field is not a plain string", frame); return false; }
            switch (key)
            {
                case 1: inst = r.ValueSpan; break;
                case 2: id = r.ValueSpan; break;
                case 3: px = r.ValueSpan; break;
                case 4: sz = r.ValueSpan; break;
                case 5: side = r.ValueSpan; break;
                default: ts = r.ValueSpan; break;
            }
        }
        var instrument = inst.IsEmpty ? _instrument : _registry.Resolve(Name, inst, scales: _scaleOf);
        if (instrument is null) { Counters.AddMalformed(FrameRules.BadSymbol, frame); return false; }
        if (!VenueTrades.TryInteger(id, out long tradeId)) { Counters.AddMalformed("tradeId is not an integer (this version stores integer trade ids)", frame); return false; }
        if (!instrument.TryPrice(px, out long price) ||
            !instrument.TryQuantity(sz, out long qty))
        { Counters.AddMalformed("trade px or sz missing or not exact at the instrument's scale", frame); return false; }
        if (price <= 0) { Counters.AddMalformed(FrameRules.BadPrice, frame); return false; }
        if (qty <= 0) { Counters.AddMalformed(FrameRules.BadQuantity, frame); return false; }
        if (!VenueTrades.TryInteger(ts, out long ms) || !FrameRules.TryTime(ms, 1_000_000, out long ns)) { Counters.AddMalformed(FrameRules.TimeOutOfRange, frame); return false; }
        // OKX answers a trades subscription with the instrument's last trade, however old: the first trade frame of an
        // instrument on a connection is history, refused only when dated ahead of receipt.
        bool first = !InstrumentSlots.At(ref _tradeSeen, instrument.Id);
        if (first ? ns - receiveNs > Rules.MaxClockSkewNs : !Rules.WithinSkew(ns, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, frame); return false; }
        byte s = side.SequenceEqual("buy"u8) ? (byte)TradeSide.Buy : side.SequenceEqual("sell"u8) ? (byte)TradeSide.Sell : (byte)TradeSide.Unknown;
        if (_tradeCount == _trades.Length) Array.Resize(ref _trades, _trades.Length * 2);
        // Stored as history (flagged) when it is older than live data may be: a recent first trade is as any other.
        bool history = first && !Rules.WithinSkew(ns, receiveNs);
        _trades[_tradeCount++] = new TradeItem { Instrument = instrument, Id = tradeId, Price = price, Quantity = qty, Time = ns, Side = s, History = history };
        return true;
    }

    // Quotes (tickers) and funding (funding-rate, mark-price) read from a frame: committed with it.
    private struct ValueItem { public Channel Channel; public long Time, Bid, BidQty, Ask, AskQty, Rate, Next, Mark; public int RateScale; public bool HasRate, HasNext, HasMark; }
    private ValueItem[] _values = new ValueItem[4];
    private int _valueCount;

    // Per instrument: the funding state merged from funding-rate and mark-price (0 = not known).
    private sealed class FundingState { public long Rate, Next, Mark; public int Scale = FundingRates.DefaultScale; }
    private FundingState?[] _funding = new FundingState?[16];

    /// <summary>One object of a tickers, funding-rate or mark-price frame; the reader is on its StartObject.</summary>
    private bool ParseValues(ref Utf8JsonReader r, ReadOnlySpan<byte> frame, Channel channel, long receiveNs)
    {
        var inst = _instrument!;
        var v = new ValueItem { Channel = channel };
        bool sawTs = false;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            int key = r.ValueTextEquals("ts"u8) ? 1 : r.ValueTextEquals("bidPx"u8) ? 2 : r.ValueTextEquals("bidSz"u8) ? 3 : r.ValueTextEquals("askPx"u8) ? 4
                : r.ValueTextEquals("askSz"u8) ? 5 : r.ValueTextEquals("fundingRate"u8) ? 6 : r.ValueTextEquals("fundingTime"u8) ? 7
                : r.ValueTextEquals("markPx"u8) ? 8 : 0;
            r.Read();
            if (key == 0) { r.Skip(); continue; }
            if (r.TokenType != JsonTokenType.String || r.ValueIsEscaped) { Counters.AddMalformed("ticker, funding or mark field is not a plain string", frame); return false; }
            var text = r.ValueSpan;
            if (text.IsEmpty) continue; // OKX sends "" for a side with no order
            bool ok = key switch
            {
                1 => VenueTrades.TryInteger(text, out long ms) && FrameRules.TryTime(ms, 1_000_000, out v.Time) && (sawTs = true),
                2 => inst.TryPrice(text, out v.Bid),
                3 => inst.TryQuantity(text, out v.BidQty),
                4 => inst.TryPrice(text, out v.Ask),
                5 => inst.TryQuantity(text, out v.AskQty),
                6 => (v.HasRate = FundingRates.TryParse(text, out v.Rate, out v.RateScale)),
                7 => (v.HasNext = VenueTrades.TryInteger(text, out long next) && FrameRules.TryTime(next, 1_000_000, out v.Next)),
                _ => (v.HasMark = inst.TryPrice(text, out v.Mark)),
            };
            if (!ok) { Counters.AddMalformed("ticker, funding or mark value not exact, or a time out of range", frame); return false; }
        }
        if (!sawTs) v.Time = receiveNs; // funding-rate frames carry no ts of their own
        if (sawTs && !Rules.WithinSkew(v.Time, receiveNs)) { Counters.AddMalformed(Rules.SkewReason, frame); return false; }
        if (_valueCount == _values.Length) Array.Resize(ref _values, _values.Length * 2);
        _values[_valueCount++] = v;
        return true;
    }

    private void CommitValues(long receiveNs)
    {
        var inst = _instrument!;
        for (int k = 0; k < _valueCount; k++)
        {
            ref var v = ref _values[k];
            if (v.Channel == Channel.Tickers)
            {
                _publisher.Quote(inst.Id, v.Time, receiveNs, 0, v.Bid, v.BidQty, v.Ask, v.AskQty);
                continue;
            }
            var f = InstrumentSlots.At(ref _funding, inst.Id) ??= new FundingState();
            if (v.HasRate)
            {
                if (v.RateScale > f.Scale) f.Scale = v.RateScale;
                f.Rate = v.Rate * Storage.Numerics.FixedDecimal.PowerOf10(f.Scale - v.RateScale);
            }
            if (v.HasNext) f.Next = v.Next;
            if (v.HasMark) f.Mark = v.Mark;
            _publisher.Funding(inst.Id, v.Time, receiveNs, f.Rate, f.Scale, f.Next, f.Mark, index: 0);
        }
    }

    protected override void Commit(long receiveNs)
    {
        if (_valueCount > 0) { CommitValues(receiveNs); return; }
        for (int b = 0; b < _bookCount; b++)
        {
            ref var m = ref _bookItems[b];
            var inst = _instrument!;
            var book = InstrumentSlots.At(ref _books, inst.Id) ??= new BookLifecycle(inst, OkxSequenceRule.Instance, _publisher, Counters, Requester);
            var msg = _message;
            msg.Clear();
            msg.FirstId = msg.LastId = Math.Max(0, m.SeqId); // frames from before seqId: 0
            msg.PrevLastId = m.PrevSeqId;
            msg.Snapshot = _snapshot;
            msg.ExchangeTime = m.Time;
            msg.ReceiveTime = receiveNs;
            msg.View(_levels, m.Start, m.Count);
            if (!_snapshot && m.PrevSeqId < 0 && m.Checksum == 0)
            {
                // Neither a prevSeqId nor a checksum: nothing tells whether an update was lost before this one, so no
                // book built on it can claim to be in sync.
                Counters.UnverifiableUpdates++;
                if (book.IsSynced) book.Gap(book.Book.UpdateId, -1, m.Time, receiveNs);
                else Counters.DiffsOutOfSync++;
                continue;
            }
            var outcome = book.OnMessage(msg);
            if (outcome is not (BookOutcome.Applied or BookOutcome.Replaced) || !book.IsSynced) continue;
            long id = msg.LastId;
            if (m.Checksum == 0)
            {
                if (_depthRank > 1) Counters.ChecksumAbsent++; // books5 and bbo-tbt carry none
                continue;
            }
            if (OkxChecksum.Compute(book.Book, inst.PriceScale, inst.QuantityScale) == m.Checksum) Counters.ChecksumMatched++;
            else
            {
                Counters.ChecksumMismatched++;
                book.Invalidate(receiveNs, m.Time, id, m.Checksum);
            }
        }
        for (int k = 0; k < _tradeCount; k++)
        {
            ref var t = ref _trades[k];
            InstrumentSlots.At(ref _tradeSeen, t.Instrument.Id) = true;
            _tradeLog.Publish(t.Instrument, t.Id, t.Price, t.Quantity, t.Time, receiveNs, t.Side, BookOf(t.Instrument.Id), history: t.History);
        }
    }

    /// <summary>
    /// REST bodies: <c>/api/v5/public/instruments</c> lists give each instrument's <c>tickSz</c> and <c>lotSz</c>, from
    /// which its scales follow (at least 8 decimals); everything is counted as control.
    /// </summary>
    public override void OnRest(ReadOnlySpan<byte> body, long receiveNs, string? url)
    {
        Counters.Frames++;
        Counters.Control++;
        if (url is null || !url.Contains("/public/instruments", StringComparison.Ordinal)) return;
        try
        {
            using var doc = JsonDocument.Parse(body.ToArray()); // REST, off the frame path
            if (doc.RootElement.TryGetProperty("data", out var list)) _scales.Read(list, "instId", "tickSz", "lotSz");
        }
        catch (JsonException) { Counters.AddMalformed("instruments body is not valid JSON", body); }
    }

    public override void OnSession(StatusKind kind, long receiveNs, bool books = true)
    {
        VenueTrades.PublishSession(_registry, _publisher, Name, kind, receiveNs, books, _books);
        if (kind is StatusKind.Connect or StatusKind.Disconnect) Array.Clear(_tradeSeen); // a new subscription sends history again
    }
}
