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

    public static IEnumerable<(string Name, SegmentHeader Header, List<long[]> Rows)> All =>
    [
        ("trades-tiny-v1.0.tks", TinyTradesHeader, TinyTrades),
        ("trades-v1.0.tks", TradesHeader, Trades),
        ("l2-depth2-v1.0.tks", L2Header, L2),
    ];
}
