using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using TickEngine.Storage.Format;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Cli.Tests;

/// <summary>
/// The recorder itself (<c>tickengine record --exchange sim</c>, a child process fed by its built-in simulator over
/// WebSockets) killed with SIGKILL at random instants, and recording into a filesystem that fills up. After each:
/// every row the recorder reported committed is on disk, every block reads back with its checksum, and the same
/// day's segments are continued by the next run.
/// </summary>
public partial class RecorderTortureTests(ITestOutputHelper output)
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "tickengine.dll");

    [GeneratedRegex(@"committed ((?:\w+=\d+ ?)+)")]
    private static partial Regex CommittedLine();

    private static Process Start(IEnumerable<string> args, string? workDir = null)
    {
        var psi = new ProcessStartInfo("dotnet", [Cli, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDir ?? Environment.CurrentDirectory,
        };
        return Process.Start(psi)!;
    }

    /// <summary>Rows per schema over every segment under <paramref name="root"/>, each block read and checked.</summary>
    private static Dictionary<string, long> ReadAll(string root, List<string> problems) => ReadAll(root, problems, new Dictionary<string, long>());

    /// <summary>As <see cref="ReadAll(string, List{string})"/>, also filling <paramref name="files"/> with each segment's rows.</summary>
    private static Dictionary<string, long> ReadAll(string root, List<string> problems, Dictionary<string, long> files)
    {
        var rows = new Dictionary<string, long>();
        foreach (var path in DataRoot.FindSegments(root))
        {
            using var r = SegmentReader.Open(path);
            foreach (var p in r.Verify()) problems.Add(p.Message);
            string schema = SegmentSchema.NameOf(r.Schema.Kind);
            var buffer = r.CreateBuffer();
            long n = 0;
            for (int b = 0; b < r.Blocks.Count; b++)
            {
                r.ReadBlock(b, buffer); // CRC-checked and decoded
                n += buffer.Rows;
            }
            Assert.Equal(r.TotalRows, n);
            rows[schema] = rows.GetValueOrDefault(schema) + n;
            files[path] = n;
        }
        return rows;
    }

    [Fact]
    public void KilledRecorderLosesNoReportedRow() => Kill(trials: 3, seed: 20261121);

    [Fact]
    [Trait("Category", "Stress")]
    public void KilledRecorderLosesNoReportedRowOverFiftyKills() => Kill(trials: 50, seed: Environment.TickCount);

    private void Kill(int trials, int seed)
    {
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        using var dir = new TempDir();
        string root = dir.File("data");
        var before = new Dictionary<string, long>();
        long reportedTotal = 0, atRisk = 0;
        int segmentFiles = 0;
        var previousFiles = new Dictionary<string, long>();
        for (int trial = 0; trial < trials; trial++)
        {
            using var p = Start(["record", "--exchange", "sim", "--sim-rate", "20000", "--duration", "600", "--out", root, "--types", "trades,deltas,l2,ohlcv"]);
            int lines = rng.Next(1, 4);
            Dictionary<string, long>? reported = null;
            var stderr = new List<string>();
            while (reported is null || lines-- > 0)
            {
                string? line = p.StandardError.ReadLine();
                if (line is null) break;
                stderr.Add(line);
                var m = CommittedLine().Match(line);
                if (m.Success)
                    reported = m.Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                        .Select(kv => kv.Split('=')).ToDictionary(kv => kv[0], kv => long.Parse(kv[1]));
            }
            // Kill at a random instant after the status line we read: mid-block, mid-commit, mid-frame.
            Thread.Sleep(rng.Next(0, 900));
            p.Kill();
            p.WaitForExit();
            Assert.True(reported is not null, $"trial {trial}: no status line from the recorder:\n{string.Join("\n", stderr)}\n{p.StandardError.ReadToEnd()}");
            var problems = new List<string>();
            var files = new Dictionary<string, long>();
            var after = ReadAll(root, problems, files);
            Assert.True(problems.Count == 0, $"trial {trial}: {string.Join("; ", problems)}");
            // The recorder counts the committed rows of the day's segments it has open (a continued segment's
            // earlier rows included): all of them must be on disk.
            foreach (var (schema, n) in reported!)
            {
                long stored = after.GetValueOrDefault(schema);
                Assert.True(stored >= n, $"trial {trial}: {schema}: the recorder reported {n:N0} rows committed, {stored:N0} are on disk");
                reportedTotal += Math.Max(0, n - before.GetValueOrDefault(schema));
                atRisk += after.GetValueOrDefault(schema) - before.GetValueOrDefault(schema);
            }
            // The next run continues the same day's segments: every segment there before is still there, with at
            // least its rows (a schema that had no row yet, a bar say, may start its segment later).
            foreach (var (file, n) in previousFiles)
                Assert.True(files.TryGetValue(file, out long now) && now >= n, $"trial {trial}: {file} had {n:N0} rows, now {(files.TryGetValue(file, out long m) ? m : -1):N0}");
            previousFiles = files;
            segmentFiles = files.Count;
            before = after;
        }
        output.WriteLine($"{trials} kills; rows the recorder reported committed (new in each run) {reportedTotal:N0}, rows written {atRisk:N0}, rows lost 0, torn rows 0; {segmentFiles} segments continued across runs");
    }

    /// <summary>Runs <paramref name="script"/> with root's powers in a private mount namespace (the tmpfs vanishes with it).</summary>
    private static (int Code, string Out, string Error) InMountNamespace(string script)
    {
        bool root = Environment.UserName == "root";
        var psi = new ProcessStartInfo("unshare", root ? ["--mount", "sh", "-c", script] : ["--user", "--map-root-user", "--mount", "sh", "-c", script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        string o = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, o, err.Result);
    }

    [Fact]
    public void FullDiskStopsTheRecorderWithAClearErrorAndEverySegmentReadable()
    {
        using var dir = new TempDir();
        string mount = dir.File("small"), copy = dir.File("copy"), summary = dir.File("summary.json");
        Directory.CreateDirectory(mount);
        // A 6 MB tmpfs: three segments start at 1 MB each (space reserved up front), the deltas one grows to 2 MB,
        // and its next growth finds the disk full. The data is copied out before the namespace (and the tmpfs) ends.
        string script = $"""
            set -u
            mount -t tmpfs -o size=6m tmpfs '{mount}' || exit 97
            dotnet '{Cli}' record --exchange sim --symbols BTCUSDT --sim-rate 50000 --duration 60 --types trades,deltas --out '{mount}/data' --summary-json '{summary}' --quiet
            echo "exit=$?"
            cp -a '{mount}/data' '{copy}'
            """;
        var (code, stdout, stderr) = InMountNamespace(script);
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(code != 97, "could not mount a tmpfs (needs root or unprivileged user namespaces): " + stderr);
        Assert.Contains("exit=1", stdout);
        Assert.Contains("no space left on the device", stderr);
        Assert.Contains("record: error:", stderr);
        Assert.DoesNotContain("Unhandled exception", stderr);
        Assert.DoesNotMatch(@"\n\s+at \w", stderr); // no stack trace
        // Every segment written so far reads back, and holds every row the recorder reported committed.
        var problems = new List<string>();
        var rows = ReadAll(copy, problems);
        Assert.True(problems.Count == 0, string.Join("; ", problems));
        using var doc = JsonDocument.Parse(File.ReadAllText(summary));
        foreach (var schema in new[] { "trades", "deltas", "status" })
        {
            long reported = doc.RootElement.GetProperty("rows_" + schema).GetInt64();
            Assert.True(rows.GetValueOrDefault(schema) >= reported, $"{schema}: {reported:N0} reported, {rows.GetValueOrDefault(schema):N0} on disk");
        }
        Assert.True(rows["deltas"] > 100_000, $"the disk filled after only {rows["deltas"]:N0} delta rows");
        Assert.Empty(Directory.GetFiles(copy, "*.compacting", SearchOption.AllDirectories));
        output.WriteLine($"disk full after {rows["deltas"]:N0} delta rows and {rows.GetValueOrDefault("trades"):N0} trades; every segment readable");
        // validate agrees: nothing damaged.
        var v = CliRunner.Run("validate", copy, "--json");
        Assert.DoesNotContain("checksum", v.Out.Contains("\"problems\"") ? ExtractProblems(v.Out) : "");
    }

    [Fact]
    public void AFullDiskAtSegmentCreationLeavesNoEmptySegment()
    {
        using var dir = new TempDir();
        string mount = dir.File("full"), listing = dir.File("listing.txt");
        Directory.CreateDirectory(mount);
        // A tmpfs filled to the last byte before the recorder starts: its first segment cannot be created.
        string script = $"""
            set -u
            mount -t tmpfs -o size=512k tmpfs '{mount}' || exit 97
            dd if=/dev/zero of='{mount}/fill' bs=4k 2>/dev/null
            dotnet '{Cli}' record --exchange sim --symbols BTCUSDT --duration 5 --data '{mount}/data' --quiet
            echo "exit=$?"
            find '{mount}/data' -type f -printf '%s %p\n' > '{listing}'
            """;
        var (code, stdout, stderr) = InMountNamespace(script);
        output.WriteLine(stdout);
        output.WriteLine(stderr);
        Assert.True(code != 97, "could not mount a tmpfs (needs root or unprivileged user namespaces): " + stderr);
        Assert.Contains("exit=1", stdout);
        Assert.Contains("no space left on the device", stderr.ToLowerInvariant().Replace("no space left on device", "no space left on the device"));
        Assert.DoesNotContain("Unhandled exception", stderr);
        var files = File.ReadAllLines(listing);
        output.WriteLine(string.Join("\n", files));
        Assert.DoesNotContain(files, f => f.EndsWith(".tks", StringComparison.Ordinal) && f.StartsWith("0 ", StringComparison.Ordinal));
        Assert.DoesNotContain(files, f => f.EndsWith(".creating", StringComparison.Ordinal));
    }

    private static string ExtractProblems(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("problems", out var p) ? p.GetRawText() : "";
    }
}
