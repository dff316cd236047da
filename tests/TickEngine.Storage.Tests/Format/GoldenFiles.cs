using TickEngine.Storage.Format;

namespace TickEngine.Storage.Tests.Format;

/// <summary>
/// The golden segments of format 1.0 kept under tests/.../Golden and read by a test forever. Their rows are
/// defined here; <c>TICKENGINE_WRITE_GOLDEN=1 dotnet test --filter GoldenFileTests</c> writes them anew (only
/// for a new format version: old files must never change).
/// </summary>
public static class GoldenFiles
{
    public const long Day = 1723075200_000_000_000; // 2024-08-08

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Golden");

    public static SegmentHeader TinyTradesHeader => new(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", Day, 1723161600_000_000_000, 4);

    /// <summary>Three real trades of the Binance spot capture (2024-08-08), the file shown in FORMAT.md.</summary>
    public static List<long[]> TinyTrades =>
    [
        [1723161255342_000_000, 1723161254087896568, 3735683259, 6183763000000, 2000000, 2, 0],
        [1723161255617_000_000, 1723161254347673567, 3735683260, 6183763000000, 4800000, 2, 0],
        [1723161255617_000_000, 1723161254347674367, 3735683261, 6183763000000, 9000, 2, 0],
    ];

    public static SegmentHeader TradesHeader => new(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", Day, 1723161600_000_000_000, 64);

    public static List<long[]> Trades
    {
        get
        {
            var rows = new List<long[]>();
            long t = 1723161255342_000_000, px = 6183763000000;
            for (int i = 0; i < 200; i++)
            {
                t += (i * 37 % 5) * 1_000_000L;
                px += ((i * 7919 % 7) - 3) * 1_000_000L;
                rows.Add([t, t - 1_254_000_000 + (i * 104729 % 9000) * 100, 3735683259 + i, px, (i * 7919 % 50000 + 1) * 1000, 1 + i % 2, i % 50 == 0 ? (long)RowFlags.ReceiveTimeUnknown : 0]);
            }
            return rows;
        }
    }

    public static SegmentHeader L2Header => new(SegmentSchema.Create(SchemaKind.L2, 2), "binance", "BTCUSDT", Day, 1723161600_000_000_000, 16);

    public static List<long[]> L2
    {
        get
        {
            var rows = new List<long[]>();
            for (int i = 0; i < 40; i++)
            {
                long t = 1723161256000_000_000 + i * 1_000_000_000L;
                long bid = 6183763000000 - (i % 5) * 1_000_000;
                bool oneAsk = i % 10 == 9;
                rows.Add([t, t - 1_254_000_000, 50093239224 + i * 13, 2, oneAsk ? 1 : 2, 0,
                    bid, 378826000 + i, bid - 1_000_000, 61700000,
                    bid + 1_000_000, 160520000 - i, oneAsk ? 0 : bid + 2_000_000, oneAsk ? 0 : 1000000]);
            }
            return rows;
        }
    }

    public static SegmentHeader TextIdTradesHeader => new(SegmentSchema.Create(SchemaKind.Trades, textTradeIds: true), "bybit", "BTCUSDT", 1786233600_000_000_000, 1786310900_000_000_000, 4);

    /// <summary>
    /// Format 1.1: real Bybit linear BTCUSDT trades (UUID ids) of the fixture capture, then one id of each other form
    /// (digits as Bybit spot sends them, an upper-case UUID, short text), the trade_id_lo column last.
    /// </summary>
    public static List<long[]> TextIdTrades
    {
        get
        {
            (long T, long Recv, string Id, long Px, long Qty, long Side)[] trades =
            [
                (1786310819680_000_000, 1786310819965676000, "a9188a0a-82bc-50de-be60-03eedbe3cdd7", 6511420000000, 400000, 2),
                (1786310820346_000_000, 1786310820459550900, "19d7df56-4f10-5290-a969-d9d9f2c74cc3", 6511430000000, 1000000, 1),
                (1786310820346_000_000, 1786310820459550900, "4d4ad26c-901f-5146-adc0-1db29b6b9ab6", 6511430000000, 130000000, 1),
                (1786310822605_000_000, 1786310822714884000, "2290000001189048101", 6514050000000, 270500, 1),
                (1786310822605_000_000, 1786310822714884000, "4D4AD26C-901F-5146-ADC0-1DB29B6B9AB6", 6514050000000, 100, 2),
                (1786310822606_000_000, 1786310822714885000, "T-9,\"x\"", 6514050000000, 100, 0),
            ];
            var rows = new List<long[]>();
            foreach (var t in trades)
            {
                if (!TradeIds.TryEncode(System.Text.Encoding.ASCII.GetBytes(t.Id), out long hi, out long lo, out long form)) throw new InvalidOperationException(t.Id);
                rows.Add([t.T, t.Recv, hi, t.Px, t.Qty, t.Side, form, lo]);
            }
            return rows;
        }
    }

    public static SegmentHeader QuotesHeader => new(SegmentSchema.Create(SchemaKind.Quotes), "binance", "BTCUSDT", Day, 1723161600_000_000_000, 4);

    /// <summary>Format 1.3: real Binance spot bookTickers of the capture (no exchange time: it repeats the receive time, flagged).</summary>
    public static List<long[]> Quotes =>
    [
        [1723161254087891268, 1723161254087891268, 50093239212, 6183763000000, 378826000, 6183764000000, 154698000, (long)RowFlags.ExchangeTimeUnknown],
        [1723161254116723068, 1723161254116723068, 50093239219, 6183763000000, 378826000, 6183764000000, 160520000, (long)RowFlags.ExchangeTimeUnknown],
        [1723161254180571167, 1723161254180571167, 50093239225, 6183763000000, 378826000, 6183764000000, 192853000, (long)RowFlags.ExchangeTimeUnknown],
    ];

    public static SegmentHeader FundingHeader => new(SegmentSchema.Create(SchemaKind.Funding), "bybit", "BTCUSDT", 1786233600_000_000_000, 1786310900_000_000_000, 4);

    /// <summary>
    /// Format 1.3: a decimal column with its own scale (the funding rate at 10 decimals beside prices at 8): Bybit linear
    /// BTCUSDT's funding as its tickers snapshot in the capture gives it, and two later marks.
    /// </summary>
    public static List<long[]> Funding =>
    [
        [1786310817883_000_000, 1786310819526357000, 1_000_000, 1786320000000_000_000, 6511744000000, 6513776000000, 0],
        [1786310818183_000_000, 1786310819526426000, 1_000_000, 1786320000000_000_000, 6511743000000, 6513776000000, 0],
        [1786310819183_000_000, 1786310819726426000, -25_000, 1786320000000_000_000, 6511741000000, 6513770000000, 0],
    ];

    public static IEnumerable<(string Name, SegmentHeader Header, List<long[]> Rows)> All =>
    [
        ("quotes-v1.3.tks", QuotesHeader, Quotes),
        ("funding-v1.3.tks", FundingHeader, Funding),
        ("trades-textids-v1.1.tks", TextIdTradesHeader, TextIdTrades),
        ("trades-tiny-v1.0.tks", TinyTradesHeader, TinyTrades),
        ("trades-v1.0.tks", TradesHeader, Trades),
        ("l2-depth2-v1.0.tks", L2Header, L2),
    ];
}
