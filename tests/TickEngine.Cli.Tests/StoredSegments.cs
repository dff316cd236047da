using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using Xunit;

namespace TickEngine.Cli.Tests;

/// <summary>One segment of a data root with every row it holds, read apart from any sink (what a sink's output is checked against).</summary>
internal sealed record StoredSegment(string Path, string Exchange, string Symbol, long Day, int Part, SegmentSchema Schema, List<long[]> Rows)
{
    /// <summary>The key a database sink's watermark has: <c>exchange/symbol/schema|day|part</c>.</summary>
    public string WatermarkKey => $"{Exchange}/{Symbol}/{Schema.Name}|{Day}|{Part}";

    /// <summary>Its rows whose exchange time falls in its day (a database is queried by time).</summary>
    public IEnumerable<long[]> RowsOfItsDay => Rows.Where(x => x[SegmentSchema.ExchangeTime] >= Day && x[SegmentSchema.ExchangeTime] < Day + 86_400_000_000_000);

    /// <summary>Every segment of <paramref name="root"/> that holds rows.</summary>
    public static IEnumerable<StoredSegment> All(string root)
    {
        foreach (var path in DataRoot.FindSegments(root))
        {
            Assert.True(DataRoot.TryParseName(path, out long day, out int part));
            string schemaDir = System.IO.Path.GetDirectoryName(path)!, symbolDir = System.IO.Path.GetDirectoryName(schemaDir)!;
            string exchange = System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(symbolDir)!), symbol = System.IO.Path.GetFileName(symbolDir);
            using var reader = SegmentReader.Open(path);
            var schema = reader.Schema;
            var rows = new List<long[]>();
            using (var cur = new SegmentCursor(reader, ownsReader: false))
                while (cur.MoveNext())
                {
                    var row = new long[schema.ColumnCount];
                    for (int k = 0; k < row.Length; k++) row[k] = cur[k];
                    rows.Add(row);
                }
            if (rows.Count > 0) yield return new StoredSegment(path, exchange, symbol, day, part, schema, rows);
        }
    }
}
