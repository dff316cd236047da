using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;

namespace TickEngine.Storage.Tests;

/// <summary>Helpers that write and read whole segments as row arrays.</summary>
public static class SegmentRows
{
    public static void Write(string path, SegmentHeader header, IEnumerable<long[]> rows, bool seal = true, int flushEvery = 0)
    {
        var w = SegmentWriter.OpenOrCreate(path, header, new SegmentWriterOptions { BlockRows = header.BlockRows, InitialCapacity = 4096 });
        int i = 0;
        foreach (var r in rows)
        {
            w.Append(r);
            if (flushEvery > 0 && ++i % flushEvery == 0) w.Flush();
        }
        if (seal) w.Dispose();
        else { w.Flush(); w.Abandon(); }
    }

    /// <summary>Reads every row; rows of blocks before a damaged block are returned through <paramref name="sink"/> before the exception.</summary>
    public static List<long[]> ReadAll(string path, List<long[]>? sink = null)
    {
        var rows = sink ?? new List<long[]>();
        using var r = SegmentReader.Open(path);
        var buffer = r.CreateBuffer();
        for (int b = 0; b < r.Blocks.Count; b++)
        {
            r.ReadBlock(b, buffer);
            for (int i = 0; i < buffer.Rows; i++)
            {
                var row = new long[buffer.Columns];
                for (int c = 0; c < buffer.Columns; c++) row[c] = buffer[c, i];
                rows.Add(row);
            }
        }
        if (r.Problems.Count > 0) throw r.Problems[0];
        return rows;
    }

    public static List<long[]> Trades(int n, int seed)
    {
        var rng = new Random(seed);
        var rows = new List<long[]>();
        long t = 1723161255342_000_000, id = 3735683259, px = 6183763000000;
        for (int i = 0; i < n; i++)
        {
            t += rng.Next(0, 3) == 0 ? rng.Next(0, 40) * 1_000_000L : 0;
            px += rng.Next(-3, 4) * 1_000_000L;
            rows.Add([t, t - 1_270_000_000 + rng.Next(0, 100000) * 100, id++, px, rng.Next(1, 100000) * 1000L, rng.Next(1, 3), 0]);
        }
        return rows;
    }
}
