using TickEngine.Tests.Shared;
using System.Diagnostics;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Storage.Tests.Writing;

/// <summary>
/// A writer process killed with SIGKILL at random instants: every row it reported committed must be there, no
/// row may be torn or wrong, and the next writer continues the same segment.
/// </summary>
public class CrashSafetyTests(ITestOutputHelper output)
{
    [Fact]
    public void KilledWriterLosesNoCommittedRow() => Run(trials: 6, seed: Environment.TickCount);

    [Fact]
    [Trait("Category", "Stress")]
    public void KilledWriterLosesNoCommittedRowOverFiftyKills() => Run(trials: 60, seed: Environment.TickCount);

    private void Run(int trials, int seed)
    {
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        using var dir = new TempDir();
        string path = dir.File("crash.tks");
        string child = Path.Combine(AppContext.BaseDirectory, "TickEngine.TestChild.dll");
        long lastReported = 0;
        long lost = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            var psi = new ProcessStartInfo("dotnet", [child, "crash-writer", path, rng.Next().ToString()])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi)!;
            int commitsBeforeKill = rng.Next(1, 40);
            int seen = 0;
            long reported = -1;
            while (seen <= commitsBeforeKill)
            {
                string? line = p.StandardOutput.ReadLine();
                if (line is null) break;
                if (line.StartsWith("C ", StringComparison.Ordinal)) { reported = long.Parse(line.AsSpan(2)); seen++; }
            }
            // Kill at a random instant after the last commit we read: the writer is mid-batch or mid-block.
            Thread.SpinWait(rng.Next(0, 200_000));
            p.Kill();
            p.WaitForExit();
            Assert.True(reported >= 0, $"trial {trial}: the child reported nothing: {p.StandardError.ReadToEnd()}");
            // Lines the child printed after ours were also committed before the kill.
            string rest = p.StandardOutput.ReadToEnd();
            foreach (var line in rest.Split('\n'))
                if (line.StartsWith("C ", StringComparison.Ordinal)) reported = Math.Max(reported, long.Parse(line.AsSpan(2)));

            using var r = SegmentReader.Open(path);
            Assert.Empty(r.Problems);
            Assert.False(r.Sealed);
            if (r.TotalRows < reported) lost += reported - r.TotalRows;
            Assert.True(r.TotalRows >= reported, $"trial {trial}: {reported} rows reported committed, {r.TotalRows} found");
            Assert.True(r.TotalRows >= lastReported);
            lastReported = reported;
            VerifyRows(r);
        }
        output.WriteLine($"trials {trials}, committed rows at the end {lastReported}, rows lost {lost}");
        Assert.Equal(0, lost);
    }

    private static void VerifyRows(SegmentReader r)
    {
        var buffer = r.CreateBuffer();
        Span<long> expected = stackalloc long[TradeColumns.Count];
        long row = 0;
        for (int b = 0; b < r.Blocks.Count; b++)
        {
            r.ReadBlock(b, buffer);
            for (int i = 0; i < buffer.Rows; i++, row++)
            {
                CrashRows.Fill(row, expected);
                for (int c = 0; c < TradeColumns.Count; c++)
                    if (buffer[c, i] != expected[c]) Assert.Fail($"row {row} column {c}: {buffer[c, i]} != {expected[c]}");
            }
        }
        Assert.Equal(r.TotalRows, row);
    }
}
