using TickEngine.Tests.Shared;
using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace TickEngine.Storage.Tests.Format;

public class GoldenFileTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names => new() { "trades-tiny-v1.0.tks", "trades-v1.0.tks", "l2-depth2-v1.0.tks", "trades-textids-v1.1.tks", "quotes-v1.3.tks", "funding-v1.3.tks" };

    private static (string Name, SegmentHeader Header, List<long[]> Rows) Find(string name) => GoldenFiles.All.Single(g => g.Name == name);

    [Theory]
    [MemberData(nameof(Names))]
    public void GoldenFileReadsBackItsRows(string name)
    {
        var g = Find(name);
        string path = Path.Combine(GoldenFiles.Folder, name);
        if (Environment.GetEnvironmentVariable("TICKENGINE_WRITE_GOLDEN") == "1")
        {
            string source = Path.Combine(FindRepoTestFolder(), "Golden", name);
            if (File.Exists(source)) File.Delete(source);
            SegmentRows.Write(source, g.Header, g.Rows);
            Directory.CreateDirectory(GoldenFiles.Folder);
            File.Copy(source, path, true);
        }
        Assert.True(File.Exists(path), $"golden file {name} is missing");
        var back = SegmentRows.ReadAll(path);
        Assert.Equal(g.Rows.Count, back.Count);
        for (int i = 0; i < back.Count; i++) Assert.Equal(g.Rows[i], back[i]);
        using var r = SegmentReader.Open(path);
        Assert.True(r.Sealed);
        Assert.Equal(g.Header.Exchange, r.Header.Exchange);
        Assert.Equal(g.Header.Symbol, r.Header.Symbol);
        Assert.Equal(g.Header.Schema.Kind, r.Schema.Kind);
        Assert.Equal(g.Header.Schema.Depth, r.Schema.Depth);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TodaysWriterStillWritesTheGoldenBytes(string name)
    {
        // The writer is deterministic; if this fails the encoder changed its choices, which is allowed only with
        // a new minor version (old files stay readable: the test above keeps reading them).
        var g = Find(name);
        using var dir = new TempDir();
        SegmentRows.Write(dir.File(name), g.Header, g.Rows);
        Assert.Equal(File.ReadAllBytes(Path.Combine(GoldenFiles.Folder, name)), File.ReadAllBytes(dir.File(name)));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void RandomByteFlipsGiveExactRowsOrACleanError(string name)
    {
        var g = Find(name);
        var original = File.ReadAllBytes(Path.Combine(GoldenFiles.Folder, name));
        int seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        using var dir = new TempDir();
        string path = dir.File(name);
        int clean = 0, refused = 0;
        for (int trial = 0; trial < 1500; trial++)
        {
            var bytes = (byte[])original.Clone();
            int flips = rng.Next(1, 4);
            for (int f = 0; f < flips; f++) bytes[rng.Next(bytes.Length)] ^= (byte)rng.Next(1, 256);
            File.WriteAllBytes(path, bytes);
            if (CheckPrefix(path, g.Rows, $"seed {seed} trial {trial}")) clean++; else refused++;
        }
        output.WriteLine($"exact {clean}, refused cleanly {refused}");
        Assert.True(refused > 0);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void TruncationAtEveryLengthGivesExactRowsOrACleanError(string name)
    {
        var g = Find(name);
        var original = File.ReadAllBytes(Path.Combine(GoldenFiles.Folder, name));
        using var dir = new TempDir();
        string path = dir.File(name);
        for (int len = 0; len < original.Length; len++)
        {
            File.WriteAllBytes(path, original.AsSpan(0, len).ToArray());
            CheckPrefix(path, g.Rows, $"length {len}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void SwappedBlocksAreReportedNeverReadAsRows(string name)
    {
        // Two neighbouring blocks swapped, each intact with its own CRC: sealed (the index no longer matches) and
        // unsealed (index and footer cut off, the chain walked): refused with the file named, or exact rows.
        var g = Find(name);
        var original = File.ReadAllBytes(Path.Combine(GoldenFiles.Folder, name));
        List<(long Offset, int Length)> blocks;
        using (var r = SegmentReader.Open(Path.Combine(GoldenFiles.Folder, name)))
            blocks = r.Blocks.Select(b => (b.Offset, b.Length)).ToList();
        using var dir = new TempDir();
        string path = dir.File(name);
        int swaps = 0;
        for (int i = 0; i + 1 < blocks.Count; i++)
        {
            var (a, la) = blocks[i];
            var (_, lb) = blocks[i + 1];
            var bytes = (byte[])original.Clone();
            original.AsSpan((int)a + la, lb).CopyTo(bytes.AsSpan((int)a));
            original.AsSpan((int)a, la).CopyTo(bytes.AsSpan((int)a + lb));
            long end = blocks[^1].Offset + blocks[^1].Length;
            foreach (var (variant, file) in new[] { ("sealed", bytes), ("unsealed", bytes.AsSpan(0, (int)end).ToArray()) })
            {
                File.WriteAllBytes(path, file);
                Assert.False(CheckPrefix(path, g.Rows, $"{variant}, blocks {i} and {i + 1} swapped"), $"{variant}: blocks {i} and {i + 1} swapped were read as a whole segment");
                swaps++;
            }
        }
        output.WriteLine($"{blocks.Count} blocks, {swaps} swapped files refused");
        if (blocks.Count < 2) Assert.Equal(0, swaps);
    }

    /// <summary>
    /// A segment refused while opening (bad header, bad block) leaves no mapping behind. Found by the generated
    /// damage below: refused files kept their mappings until the finalizer ran, and the run slowed with each one.
    /// </summary>
    [Fact]
    public void ARefusedSegmentLeavesNoMapping()
    {
        using var dir = new TempDir();
        var golden = GoldenFiles.All.First();
        byte[] bytes = File.ReadAllBytes(Path.Combine(GoldenFiles.Folder, golden.Name));
        string path = dir.File("refused-header.tks");
        var damaged = (byte[])bytes.Clone();
        damaged[0] ^= 0xFF; // the magic
        File.WriteAllBytes(path, damaged);
        for (int i = 0; i < 20; i++) Assert.Throws<StorageFormatException>(() => SegmentReader.Open(path).Dispose());
        Assert.Equal(0, MappingsOf(path));
    }

    private static int MappingsOf(string path)
    {
        string full = Path.GetFullPath(path);
        return File.ReadAllLines("/proc/self/maps").Count(l => l.EndsWith(full, StringComparison.Ordinal));
    }

    /// <summary>
    /// The segment reader fuzzed with generated damage (CsCheck): bytes flipped, set, cut out or repeated, runs of
    /// zeros, and cuts, over every golden file; every read gives exact rows (a prefix) or a clean error naming the
    /// file. A Stress test: its figures go in the note.
    /// </summary>
    [Fact]
    [Trait("Category", "Stress")]
    public void GeneratedDamageGivesExactRowsOrACleanError()
    {
        var files = GoldenFiles.All.Select(g => (g.Rows, Bytes: File.ReadAllBytes(Path.Combine(GoldenFiles.Folder, g.Name)))).ToArray();
        using var dir = new TempDir();
        string path = dir.File("fuzz.tks");
        long inputs = 0, exact = 0, refused = 0;
        Gen.Select(Gen.Int[0, files.Length - 1], Gen.Int[0, 5], Gen.Int, Gen.Int).Sample((which, kind, a, b) =>
        {
            var (rows, original) = files[which];
            var list = new List<byte>(original);
            int at = (int)((uint)a % (uint)original.Length), len = 1 + (int)((uint)b % 64);
            switch (kind)
            {
                case 0: list[at] ^= (byte)(1 << (b & 7)); break;
                case 1: list[at] = (byte)b; break;
                case 2: list.RemoveRange(at, Math.Min(len, list.Count - at)); break;
                case 3: list.InsertRange(at, original.AsSpan(at, Math.Min(len, original.Length - at)).ToArray()); break;
                case 4: for (int i = at; i < Math.Min(at + len, list.Count); i++) list[i] = 0; break;
                default: list.RemoveRange(at, list.Count - at); break;
            }
            File.WriteAllBytes(path, list.ToArray());
            if (CheckPrefix(path, rows, $"file {which} kind {kind} at {at} len {len}")) exact++; else refused++;
            inputs++;
        }, iter: 200_000, threads: 1);
        output.WriteLine($"segment fuzz: {inputs:N0} damaged segments, {exact:N0} read exactly (damage outside what rows depend on), {refused:N0} refused with the file named, 0 wrong rows, 0 other exceptions");
        Assert.True(refused > 0);
    }

    /// <summary>True when every row came back; false when a StorageFormatException stopped the read. Rows returned before it must be exact.</summary>
    private static bool CheckPrefix(string path, List<long[]> expected, string context)
    {
        var got = new List<long[]>();
        bool ok;
        try
        {
            SegmentRows.ReadAll(path, got);
            ok = true;
        }
        catch (StorageFormatException e)
        {
            Assert.Contains(path, e.Message);
            ok = false;
        }
        Assert.True(got.Count <= expected.Count, context);
        for (int i = 0; i < got.Count; i++) Assert.True(expected[i].AsSpan().SequenceEqual(got[i]), $"{context}: row {i} differs");
        // A read may end early without an error only where the damage left a valid unsealed segment (the file
        // ends on a block boundary, as a crashed writer leaves it): what it returns is still exact.
        return ok && got.Count == expected.Count;
    }

    private static string FindRepoTestFolder()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "TickEngine.Storage.Tests.csproj"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("test project folder not found");
    }
}
