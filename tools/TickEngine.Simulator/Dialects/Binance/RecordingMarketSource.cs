using System.Text;
using TickEngine.Engine.Replay;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

using TickEngine.Simulator.Market;

namespace TickEngine.Simulator.Dialects.Binance;

/// <summary>
/// Plays a recording (a data root) as a Binance market, in the order the rows were received: trades as trade
/// frames, level changes regrouped into their depthUpdate messages, each snapshot as a recorded REST snapshot (the
/// simulator holds the market there until a client asks for one, as the recorder did; the body carries the
/// snapshot's exchange time as "E"), and a bookTicker from the served book after each diff. Any Binance client,
/// TickEngine's recorder included, records it as if it were live.
/// </summary>
public sealed class RecordingMarketSource : IMarketSource
{
    private readonly ReplaySelection _selection;

    public RecordingMarketSource(string root, IReadOnlyList<string>? symbols = null, long startNs = long.MinValue, long endNs = long.MaxValue)
    {
        _selection = new ReplaySelection
        {
            Root = root,
            Symbols = symbols,
            Schemas = new HashSet<SchemaKind> { SchemaKind.Trades, SchemaKind.Deltas },
            StartNs = startNs,
            EndNs = endNs,
            Clock = ReplayClock.Receive,
        };
        Symbols = Storage.Layout.DataRoot.FindSegments(root).Select(f => Path.GetRelativePath(root, f).Split(Path.DirectorySeparatorChar)[^3])
            .Where(s => symbols is null || symbols.Contains(s, StringComparer.OrdinalIgnoreCase)).Distinct().OrderBy(s => s, StringComparer.Ordinal).ToArray();
    }

    public IReadOnlyList<string> Symbols { get; }
    public int Scale => 8;

    public IEnumerable<MarketItem> Items(CancellationToken cancel)
    {
        using var reader = new ReplayReader(_selection);
        var message = new StringBuilder();
        var bids = new StringBuilder();
        var asks = new StringBuilder();
        string? msgSymbol = null;
        bool msgSnapshot = false;
        long msgFirst = 0, msgLast = 0, msgTime = 0, msgRecv = 0;
        int scaleP = 8, scaleQ = 8;
        while (!cancel.IsCancellationRequested && reader.MoveNext())
        {
            var c = reader.Current;
            var schema = c.Reader.Schema;
            scaleP = schema.PriceScale;
            scaleQ = schema.QuantityScale;
            if (reader.Kind == SchemaKind.Trades)
            {
                long ms = c[TradeColumns.ExchangeTime] / 1_000_000;
                string lower = reader.Symbol.ToLowerInvariant();
                bool aggregated = (c[TradeColumns.Flags] & (long)RowFlags.Aggregated) != 0;
                string raw = aggregated
                    ? $"{{\"e\":\"aggTrade\",\"E\":{ms},\"s\":\"{reader.Symbol}\",\"a\":{c[TradeColumns.TradeId]},\"p\":\"{FixedDecimal.ToString(c[TradeColumns.Price], scaleP)}\",\"q\":\"{FixedDecimal.ToString(c[TradeColumns.Quantity], scaleQ)}\",\"f\":0,\"l\":0,\"T\":{ms},\"m\":{Maker(c[TradeColumns.Side])}}}"
                    : $"{{\"e\":\"trade\",\"E\":{ms},\"s\":\"{reader.Symbol}\",\"t\":{c[TradeColumns.TradeId]},\"p\":\"{FixedDecimal.ToString(c[TradeColumns.Price], scaleP)}\",\"q\":\"{FixedDecimal.ToString(c[TradeColumns.Quantity], scaleQ)}\",\"T\":{ms},\"m\":{Maker(c[TradeColumns.Side])},\"M\":true}}";
                var bytes = Encoding.UTF8.GetBytes(raw);
                string stream = lower + (aggregated ? "@aggTrade" : "@trade");
                yield return new FrameItem(new MarketFrame(c[TradeColumns.ReceiveTime], stream, aggregated ? FrameKind.AggTrade : FrameKind.Trade, reader.Symbol, FrameRewriter.Wrap(stream, bytes), bytes, TradeId: c[TradeColumns.TradeId]));
                continue;
            }
            // Deltas: gather one message's levels, send it at its last level.
            long flags = c[DeltaColumns.Flags];
            if (msgSymbol is null)
            {
                msgSymbol = reader.Symbol;
                msgSnapshot = (flags & (long)RowFlags.FromSnapshot) != 0;
                msgFirst = c[DeltaColumns.FirstUpdateId];
                msgLast = c[DeltaColumns.LastUpdateId];
                msgTime = c[DeltaColumns.ExchangeTime];
                msgRecv = c[DeltaColumns.ReceiveTime];
                bids.Clear();
                asks.Clear();
            }
            if (c[DeltaColumns.Side] != 0)
            {
                var side = c[DeltaColumns.Side] == (long)BookSide.Bid ? bids : asks;
                if (side.Length > 0) side.Append(',');
                side.Append("[\"").Append(FixedDecimal.ToString(c[DeltaColumns.Price], scaleP)).Append("\",\"").Append(FixedDecimal.ToString(c[DeltaColumns.Quantity], scaleQ)).Append("\"]");
            }
            if ((flags & (long)RowFlags.LastInMessage) == 0) continue;
            string symbol = msgSymbol;
            msgSymbol = null;
            long ems = msgTime / 1_000_000;
            if (msgSnapshot)
            {
                var body = Encoding.UTF8.GetBytes($"{{\"lastUpdateId\":{msgLast},\"E\":{ems},\"bids\":[{bids}],\"asks\":[{asks}]}}");
                yield return new SnapshotItem(msgRecv, symbol, body, Recorded: true);
                continue;
            }
            message.Clear();
            message.Append("{\"e\":\"depthUpdate\",\"E\":").Append(ems).Append(",\"s\":\"").Append(symbol).Append("\",\"U\":").Append(msgFirst).Append(",\"u\":").Append(msgLast)
                   .Append(",\"b\":[").Append(bids).Append("],\"a\":[").Append(asks).Append("]}");
            var diff = Encoding.UTF8.GetBytes(message.ToString());
            string depth = symbol.ToLowerInvariant() + "@depth@100ms";
            yield return new FrameItem(new MarketFrame(msgRecv, depth, FrameKind.DepthDiff, symbol, FrameRewriter.Wrap(depth, diff), diff, msgFirst, msgLast));
            string ticker = symbol.ToLowerInvariant() + "@bookTicker";
            yield return new FrameItem(new MarketFrame(msgRecv, ticker, FrameKind.BookTicker, symbol, [], []), FromBook: true);
        }
    }

    private static string Maker(long side) => side == (long)TradeSide.Sell ? "true" : "false";
}
