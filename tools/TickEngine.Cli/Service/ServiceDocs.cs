namespace TickEngine.Cli.Service;

// The service's JSON responses as types: serialised with snake_case names, and the source of its OpenAPI document
// (Microsoft.AspNetCore.OpenApi), so the document describes exactly what is sent (a test checks the real responses
// against it). Exact decimals are strings; times are ns since the epoch (and ISO-8601 where named so).

public sealed record ErrorDoc(string Error);

public sealed record HealthDoc(bool Live, bool Ready);

public sealed record CandleDoc(long OpenTimeNs, string OpenTime, string Open, string High, string Low, string Close, string Volume, string BuyVolume, long Trades, bool Partial);

public sealed record CandlesDoc(string Exchange, string Symbol, string Timeframe, IReadOnlyList<CandleDoc> Candles);

public sealed record BookDoc(bool InSync, long TimeNs, IReadOnlyList<IReadOnlyList<string>> Bids, IReadOnlyList<IReadOnlyList<string>> Asks);

public sealed record QuoteDoc(long TimeNs, string Bid, string BidQty, string Ask, string AskQty);

public sealed record TradeDoc(long TimeNs, string Price, string Quantity, string Side);

public sealed record LatestDoc(string Exchange, string Symbol, BookDoc Book, QuoteDoc? Quote, IReadOnlyList<TradeDoc> Trades);

public sealed record ConnectionDoc(string Url, string State, long Messages);

public sealed record SinkDoc(string Target, string State, long LagRows);

public sealed record CandlesStatusDoc(long WarmedBars, int Series);

public sealed record StreamsStatusDoc(int Subscribers, long Dropped);

public sealed record StatusDoc(IReadOnlyList<ConnectionDoc> Connections, long Reconnects, long Frames, IReadOnlyDictionary<string, long> Committed,
    IReadOnlyList<SinkDoc> Sinks, CandlesStatusDoc Candles, StreamsStatusDoc Streams);
