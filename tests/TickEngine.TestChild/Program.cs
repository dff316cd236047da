using TickEngine.Storage.Format;
using TickEngine.Storage.Writing;

// A child process for crash tests: appends deterministic trade rows to a segment and reports each commit on
// stdout ("C <committed rows>") until it is killed. Rows continue where the segment's committed rows end.
if (args.Length != 3 || args[0] != "crash-writer")
{
    Console.Error.WriteLine("usage: TickEngine.TestChild crash-writer PATH SEED");
    return 2;
}
string path = args[1];
var rng = new Random(int.Parse(args[2]));
var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "test", "BTCUSDT", CrashRows.DayStart, 0, 512);
using var writer = SegmentWriter.OpenOrCreate(path, header, new SegmentWriterOptions { BlockRows = 512, InitialCapacity = 64 << 10 });
long next = writer.CommittedRows;
Console.Out.WriteLine($"C {next}");
Console.Out.Flush();
Span<long> row = stackalloc long[TradeColumns.Count];
while (true)
{
    int batch = rng.Next(1, 700);
    for (int i = 0; i < batch; i++)
    {
        CrashRows.Fill(next++, row);
        writer.Append(row);
    }
    writer.Flush();
    Console.Out.WriteLine($"C {writer.CommittedRows}");
    Console.Out.Flush();
}

/// <summary>The deterministic rows the crash test expects.</summary>
public static class CrashRows
{
    public const long DayStart = 1723075200_000_000_000L;

    public static void Fill(long i, Span<long> row)
    {
        row[TradeColumns.ExchangeTime] = DayStart + 3_600_000_000_000L + i * 1_000_000 + (i % 7) * 1000;
        row[TradeColumns.ReceiveTime] = row[TradeColumns.ExchangeTime] + 1_270_000_000 + (i * 7919 % 5000) * 100;
        row[TradeColumns.TradeId] = 3735683259L + i;
        row[TradeColumns.Price] = 6183763000000L + ((i * 7919) % 201 - 100) * 1_000_000;
        row[TradeColumns.Quantity] = (i * 104729 % 100000) * 1000 + 1000;
        row[TradeColumns.Side] = 1 + i % 2;
        row[TradeColumns.Flags] = 0;
    }
}
