using System.IO.Compression;
using TickEngine.Storage.Layout;
using TickEngine.Storage.Reading;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Cli.Tests;

public class CaptureFilesTests
{
    private static List<string> Lines()
    {
        using var gz = new GZipStream(File.OpenRead(RepoPaths.BinanceSpotCapture), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        var lines = new List<string>();
        string? line;
        while ((line = reader.ReadLine()) is not null) lines.Add(line);
        return lines;
    }

    private static void WriteGzip(string path, IEnumerable<string> lines)
    {
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var w = new StreamWriter(gz);
        foreach (var l in lines) w.Write(l + "\n");
    }

    private static Dictionary<string, List<long[]>> Rows(string root)
    {
        var all = new Dictionary<string, List<long[]>>();
        foreach (var file in DataRoot.FindSegments(root))
        {
            using var r = SegmentReader.Open(file);
            using var c = new SegmentCursor(r, ownsReader: false);
            var rows = new List<long[]>();
            while (c.MoveNext())
            {
                var row = new long[r.Schema.ColumnCount];
                for (int k = 0; k < row.Length; k++) row[k] = c[k];
                rows.Add(row);
            }
            all[Path.GetRelativePath(root, file)] = rows;
        }
        return all;
    }

    /// <summary>
    /// A capture split in two (the second part starts without a REST snapshot, as a day file does) recorded in one run
    /// gives exactly the rows of the whole capture: the files go in time order whatever the order they are named in,
    /// and the book continues from one into the next (no gap, no second sync). A folder means the files in it.
    /// </summary>
    [Fact]
    public void SeveralCaptureFilesInOneRunContinueTheBookAcrossFiles()
    {
        using var dir = new TempDir();
        var lines = Lines();
        int cut = lines.Count / 2;
        Directory.CreateDirectory(dir.File("parts"));
        WriteGzip(dir.File("parts/a-first.gz"), lines.Take(cut));
        WriteGzip(dir.File("parts/b-second.gz"), lines.Skip(cut));

        var whole = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--data", dir.File("whole"), "--summary-json", dir.File("whole.json"), "--quiet");
        Assert.True(whole.ExitCode == 0, whole.Error);
        // Named in the wrong order: the second half first.
        var split = CliRunner.Run("record", "--exchange", "binance", "--capture", dir.File("parts/b-second.gz"), dir.File("parts/a-first.gz"), "--data", dir.File("split"), "--summary-json", dir.File("split.json"), "--quiet");
        Assert.True(split.ExitCode == 0, split.Error);
        var folder = CliRunner.Run("record", "--exchange", "binance", "--capture", dir.File("parts"), "--data", dir.File("folder"), "--quiet");
        Assert.True(folder.ExitCode == 0, folder.Error);

        var expected = Rows(dir.File("whole"));
        Assert.NotEmpty(expected);
        foreach (var root in new[] { "split", "folder" })
        {
            var got = Rows(dir.File(root));
            Assert.Equal(expected.Keys.OrderBy(k => k), got.Keys.OrderBy(k => k));
            foreach (var (segment, rows) in expected)
            {
                Assert.True(rows.Count == got[segment].Count, $"{root} {segment}: {got[segment].Count} rows, expected {rows.Count}");
                for (int i = 0; i < rows.Count; i++) Assert.True(rows[i].AsSpan().SequenceEqual(got[segment][i]), $"{root} {segment} row {i}");
            }
        }
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("split.json")));
        Assert.Equal(0, summary.RootElement.GetProperty("gaps").GetInt64());
        Assert.Equal(1, summary.RootElement.GetProperty("syncs").GetInt64());
        Assert.Equal(lines.Count, summary.RootElement.GetProperty("capture_lines").GetInt64());
    }

    [Fact]
    public void EveryVerbHasHelpWithExamples()
    {
        foreach (var verb in CliMain.VerbNames)
        {
            var r = CliRunner.Run(verb, "--help");
            Assert.True(r.ExitCode == 0, $"{verb}: {r.Error}");
            Assert.Contains($"tickengine {verb}", r.Out);
            Assert.Contains("Examples:", r.Out);
            Assert.Contains("Options:", r.Out);
        }
        var root = CliRunner.Run("--help");
        Assert.Equal(0, root.ExitCode);
        foreach (var verb in CliMain.VerbNames) Assert.Contains(verb, root.Out);
    }

    [Fact]
    public void OldSpellingsStillWorkWithANote()
    {
        using var dir = new TempDir();
        var old = CliRunner.Run("record", "--exchange", "binance", "--from-capture", RepoPaths.BinanceSpotCapture, "--out", dir.File("root"), "--types", "trades", "--quiet");
        Assert.True(old.ExitCode == 0, old.Error);
        Assert.Contains("--from-capture is now spelled --capture", old.Error);
        Assert.Contains("--out is now spelled --data", old.Error);
        Assert.Contains("--types is now spelled --schema", old.Error);
        var export = CliRunner.Run("export", "csv", dir.File("root"), "--schema", "trades");
        Assert.Equal(0, export.ExitCode);
        Assert.Equal(9_758, export.Text().Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var both = CliRunner.Run("record", "--exchange", "binance", "--capture", RepoPaths.BinanceSpotCapture, "--from-capture", RepoPaths.BinanceSpotCapture, "--data", dir.File("x"));
        Assert.Equal(2, both.ExitCode);
    }
}
