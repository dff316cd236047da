using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using TickEngine.Storage.Writing;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Storage.Tests.Reading;

/// <summary>
/// A reader of a segment a writer is appending to, while the writer seals it: sealing truncates the preallocated
/// file to its exact size, and a page of a mapping past the new end faults in the reading process (SIGBUS: the whole
/// process dies). Readers must never touch the mapping past the committed blocks of a file that is not yet sealed.
/// </summary>
public class ReadWhileSealingTests
{
    [Fact]
    public void ReadersOpenedAroundTheSealNeverFaultAndSeeOnlyCommittedRows()
    {
        using var dir = new TempDir();
        var header = new SegmentHeader(SegmentSchema.Create(SchemaKind.Trades), "binance", "BTCUSDT", 1723075200_000_000_000, 1, 256);
        var rows = SegmentRows.Trades(3_000, 7);
        long opened = 0, sealedSeen = 0;
        for (int round = 0; round < 60; round++)
        {
            string path = dir.File($"s{round}.tks");
            // A large preallocation, so that the seal's truncation removes whole pages a reader has mapped.
            using var w = SegmentWriter.Create(path, header, new SegmentWriterOptions { InitialCapacity = 8 << 20 });
            var stop = new ManualResetEventSlim();
            long committedBefore = 0;
            Exception? failed = null;
            var reader = new Thread(() =>
            {
              try
              {
                while (!stop.IsSet)
                {
                    long floor = Volatile.Read(ref committedBefore);
                    using var r = SegmentReader.Open(path);
                    Interlocked.Increment(ref opened);
                    Assert.Empty(r.Problems);
                    Assert.True(r.TotalRows >= floor, $"a reader saw {r.TotalRows} rows after {floor} were committed");
                    if (r.Sealed) Interlocked.Increment(ref sealedSeen);
                    var buffer = r.CreateBuffer();
                    long n = 0;
                    for (int b = 0; b < r.Blocks.Count; b++)
                    {
                        r.ReadBlock(b, buffer);
                        for (int i = 0; i < buffer.Rows; i++, n++) Assert.Equal(rows[(int)n][SegmentSchema.ExchangeTime], buffer[SegmentSchema.ExchangeTime, i]);
                    }
                    Assert.Equal(r.TotalRows, n);
                }
              }
              catch (Exception e) { failed = e; }
            });
            reader.Start();
            foreach (var row in rows.Take(2_000 + round * 10)) w.Append(row);
            w.Flush();
            Volatile.Write(ref committedBefore, w.CommittedRows);
            Thread.Sleep(2);
            w.Seal(); // truncates the file under the readers
            Thread.Sleep(2);
            stop.Set();
            reader.Join();
            if (failed is not null) throw new Xunit.Sdk.XunitException($"round {round}: {failed}");
        }
        Assert.True(opened > 60, $"{opened} readers opened");
        Assert.True(sealedSeen > 0, "no reader saw a sealed segment");
    }
}
