using System.Diagnostics;
using System.Globalization;
using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Book;
using TickEngine.Engine.Events;
using TickEngine.Engine.Live;
using TickEngine.Engine.Replay;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;
using TickEngine.Storage.Reading;

namespace TickEngine.Cli.Commands;

/// <summary><c>replay</c>: recorded rows back in time order at any speed, printed, with the L2 imbalance test.</summary>
public static class ReplayCommand
{
    public const string Usage = """
        usage: tickengine replay --type l2|trades|bars|deltas (--file SEGMENT | --data ROOT [--symbol S] [--exchange X])
                                 [--start T] [--end T] [--speed 1|10|100|...|max] [--clock exchange|receive]
                                 [--test-imbalance] [--levels 5] [--buy-above 3.0] [--sell-below 0.33] [--quiet]
          Prints each event ([time] Symbol: S, Best bid: .., Best ask: ..); deltas rebuild the full book (from its
          snapshots, marked out of sync from a stored gap until the next snapshot). --speed paces by the rows' own
          times (max never sleeps). --test-imbalance prints only the signals: BUY SIGNAL when bid/ask volume over
          the top --levels is above --buy-above, SELL SIGNAL below --sell-below, never from a book out of sync.
          --quiet prints only the summary: events, span, wall time, events/s (and signals).
        """;

    public static int Run(IReadOnlyList<string> args, CliContext ctx)
    {
        var p = new ArgParser(args, ["--type", "--file", "--data", "--symbol", "--exchange", "--start", "--end", "--speed", "--clock", "--levels", "--buy-above", "--sell-below"], ["--test-imbalance", "--quiet"]);
        if (p.Help) { ctx.Out.Write(Usage); return 0; }
        if (p.Positionals.Count > 0) throw new UsageException($"unexpected argument '{p.Positionals[0]}'");
        if (!SegmentSchema.TryParseName(p.Required("--type"), out var type) || type == SchemaKind.Status) throw new UsageException("--type must be l2, trades, bars or deltas");
        string? file = p.Value("--file"), data = p.Value("--data");
        if ((file is null) == (data is null)) throw new UsageException("give one of --file SEGMENT or --data ROOT");
        if (file is not null && !File.Exists(file)) throw new UsageException($"--file {file}: no such file");
        if (data is not null && !Directory.Exists(data)) throw new UsageException($"--data {data}: no such directory");
        long start = p.Value("--start") is { } s ? TimeText.ParseToNanos(s, "--start") : long.MinValue;
        long end = p.Value("--end") is { } e ? TimeText.ParseToNanos(e, "--end") : long.MaxValue;
        if (end <= start) throw new UsageException("--end must be after --start");
        string speedText = p.Value("--speed") ?? "max";
        double speed = speedText == "max" ? 0 : double.TryParse(speedText, NumberStyles.Float, CultureInfo.InvariantCulture, out double sp) && sp > 0 ? sp
            : throw new UsageException($"--speed must be a positive number or max, got '{speedText}'");
        var clock = (p.Value("--clock") ?? "exchange") switch
        {
            "exchange" => ReplayClock.Exchange,
            "receive" => ReplayClock.Receive,
            var x => throw new UsageException($"--clock must be exchange or receive, got '{x}'"),
        };
        bool imbalance = p.Flag("--test-imbalance"), quiet = p.Flag("--quiet");
        int levels = p.Int("--levels", 5, 1, SegmentSchema.MaxDepth);
        var signal = new ImbalanceSignal(levels, (decimal)p.Double("--buy-above", 3.0, 0, 1e9), (decimal)p.Double("--sell-below", 0.33, 0, 1e9));
        if (imbalance && type is SchemaKind.Trades or SchemaKind.Bars) throw new UsageException("--test-imbalance needs --type l2 or deltas");

        string root = data ?? Path.GetDirectoryName(Path.GetFullPath(file!))!;
        var schemas = type == SchemaKind.Deltas ? new HashSet<SchemaKind> { SchemaKind.Deltas, SchemaKind.Status } : new HashSet<SchemaKind> { type };
        var selection = new ReplaySelection
        {
            Root = file is not null ? SegmentRoot(file) : data!,
            Schemas = schemas,
            Symbols = file is not null ? [SegmentSymbol(file)] : p.Value("--symbol") is { } sym ? [sym] : null,
            Exchanges = p.Value("--exchange") is { } ex ? [ex] : null,
            StartNs = start,
            EndNs = end,
            Clock = clock,
        };
        using var reader = new ReplayReader(selection);
        if (reader.SegmentCount == 0) throw new InputException($"{root}: no {SegmentSchema.NameOf(type)} segments match");
        var o = new StreamWriter(ctx.OpenStandardOutput()) { AutoFlush = false };
        var books = new Dictionary<string, BookRebuilder>();
        var bidQ = new long[levels]; var askQ = new long[levels]; var bidP = new long[1]; var askP = new long[1];
        var wall = Stopwatch.StartNew();
        long events = 0, first = 0, last = 0, startNs = 0;
        try
        {
            while (reader.MoveNext() && !ctx.Cancel.IsCancellationRequested)
            {
                long ts = reader.Timestamp;
                if (events == 0) { first = ts; startNs = Clock.NowNs(); }
                last = ts;
                events++;
                if (speed > 0)
                {
                    long due = startNs + (long)((ts - first) / speed);
                    long wait = due - Clock.NowNs();
                    if (wait > 1_000_000) { o.Flush(); Thread.Sleep(TimeSpan.FromTicks(wait / 100)); }
                }
                var c = reader.Current;
                var sch = c.Reader.Schema;
                int ps = sch.PriceScale, qs = sch.QuantityScale;
                string stamp = Stamp(c[0]);
                switch (reader.Kind)
                {
                    case SchemaKind.L2:
                    {
                        int depth = sch.Depth;
                        bool hasBid = c[L2Columns.BidCount] > 0, hasAsk = c[L2Columns.AskCount] > 0;
                        if (imbalance)
                        {
                            for (int i = 0; i < levels; i++)
                            {
                                bidQ[i] = i < depth && i < c[L2Columns.BidCount] ? c[L2Columns.BidPrice(i) + 1] : 0;
                                askQ[i] = i < depth && i < c[L2Columns.AskCount] ? c[L2Columns.AskPrice(depth, i) + 1] : 0;
                            }
                            Signal(o, signal, bidQ, askQ, stamp, reader.Symbol, quiet);
                        }
                        else if (!quiet)
                            o.WriteLine($"[{stamp}] Symbol: {reader.Symbol}, Best bid: {(hasBid ? FixedDecimal.ToString(c[L2Columns.BidPrice(0)], ps) : "-")}, Best ask: {(hasAsk ? FixedDecimal.ToString(c[L2Columns.AskPrice(depth, 0)], ps) : "-")}");
                        break;
                    }
                    case SchemaKind.Trades:
                        if (!quiet) o.WriteLine($"[{stamp}] Symbol: {reader.Symbol}, Trade: {FixedDecimal.ToString(c[TradeColumns.Price], ps)} x {FixedDecimal.ToString(c[TradeColumns.Quantity], qs)}, {(TradeSide)c[TradeColumns.Side]}, id {c[TradeColumns.TradeId]}");
                        break;
                    case SchemaKind.Bars:
                        if (!quiet) o.WriteLine($"[{stamp}] Symbol: {reader.Symbol}, {System.Text.Encoding.ASCII.GetString(Csv.ExportLayout.IntervalText(c[BarColumns.Interval]))} bar: open {FixedDecimal.ToString(c[BarColumns.Open], ps)}, high {FixedDecimal.ToString(c[BarColumns.High], ps)}, low {FixedDecimal.ToString(c[BarColumns.Low], ps)}, close {FixedDecimal.ToString(c[BarColumns.Close], ps)}, volume {FixedDecimal.ToString(c[BarColumns.Volume], qs)}");
                        break;
                    case SchemaKind.Deltas:
                    case SchemaKind.Status:
                    {
                        string key = reader.Exchange + "/" + reader.Symbol;
                        if (!books.TryGetValue(key, out var b)) books[key] = b = new BookRebuilder();
                        var ev = ToEvent(c, reader.Kind);
                        bool wasValid = b.Valid;
                        b.Apply(ev);
                        if (wasValid && !b.Valid && !quiet && !imbalance) o.WriteLine($"[{stamp}] Symbol: {reader.Symbol}, book out of sync ({(StatusKind)ev.Side})");
                        if (reader.Kind == SchemaKind.Deltas && b.Valid && b.Consistent)
                        {
                            if (imbalance)
                            {
                                Array.Clear(bidQ); Array.Clear(askQ);
                                b.Book.CopyTop(BookSide.Bid, new long[levels], bidQ);
                                b.Book.CopyTop(BookSide.Ask, new long[levels], askQ);
                                Signal(o, signal, bidQ, askQ, stamp, reader.Symbol, quiet);
                            }
                            else if (!quiet)
                            {
                                bool hb = b.Book.CopyTop(BookSide.Bid, bidP, new long[1]) > 0, ha = b.Book.CopyTop(BookSide.Ask, askP, new long[1]) > 0;
                                o.WriteLine($"[{stamp}] Symbol: {reader.Symbol}, Best bid: {(hb ? FixedDecimal.ToString(bidP[0], ps) : "-")}, Best ask: {(ha ? FixedDecimal.ToString(askP[0], ps) : "-")}");
                            }
                        }
                        break;
                    }
                }
            }
        }
        catch (StorageFormatException damaged)
        {
            o.Flush();
            throw new InputException($"{damaged.Message}; {events:N0} events were replayed before it");
        }
        double seconds = wall.Elapsed.TotalSeconds;
        o.WriteLine(string.Format(CultureInfo.InvariantCulture, "replay: {0:N0} events, span {1} .. {2}, wall {3:F3} s, {4:N0} events/s{5}",
            events, events > 0 ? TimeText.FormatIso(first) : "-", events > 0 ? TimeText.FormatIso(last) : "-", seconds, events / Math.Max(seconds, 1e-9),
            imbalance ? $", signals {signal.Buys + signal.Sells:N0} (buy {signal.Buys:N0}, sell {signal.Sells:N0}) of {signal.Evaluated:N0} books" : ""));
        o.Flush();
        return 0;
    }

    private static void Signal(StreamWriter o, ImbalanceSignal signal, long[] bids, long[] asks, string stamp, string symbol, bool quiet)
    {
        int s = signal.Evaluate(bids, asks, out decimal ratio);
        if (s != 0 && !quiet)
            o.WriteLine($"[{stamp}] {(s > 0 ? "BUY SIGNAL" : "SELL SIGNAL")} {symbol}: bid/ask volume {ratio.ToString("0.###", CultureInfo.InvariantCulture)} over {signal.Levels} levels");
    }

    private static MarketEvent ToEvent(SegmentCursor c, SchemaKind kind)
    {
        var e = default(MarketEvent);
        RowEvents.Fill(c, kind, 0, ref e);
        return e;
    }

    private static string Stamp(long ns)
    {
        var t = DateTimeOffset.FromUnixTimeMilliseconds(Math.DivRem(ns, 1_000_000, out long rem)).UtcDateTime;
        return t.ToString(t.Millisecond == 0 && rem == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
    }

    /// <summary>The data root a segment file lies in (&lt;root&gt;/&lt;exchange&gt;/&lt;symbol&gt;/&lt;schema&gt;/&lt;day&gt;.tks).</summary>
    private static string SegmentRoot(string file)
    {
        var dir = new FileInfo(Path.GetFullPath(file)).Directory;
        for (int i = 0; i < 3 && dir?.Parent is not null; i++) dir = dir.Parent;
        return dir?.FullName ?? throw new UsageException($"--file {file} is not inside a data root (<root>/<exchange>/<symbol>/<schema>/<day>.tks)");
    }

    private static string SegmentSymbol(string file) => new FileInfo(Path.GetFullPath(file)).Directory!.Parent!.Name;
}
