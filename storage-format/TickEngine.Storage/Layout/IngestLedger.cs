using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace TickEngine.Storage.Layout;

/// <summary>
/// What a data root has ingested from files (FORMAT.md, "Layout on disk"): <c>&lt;root&gt;/.ingested.jsonl</c>, one JSON
/// line per import or capture recording, naming the source by the SHA-256 of its bytes (so a copy or a renamed file is
/// the same source), how it was ingested (the verb and its target: <c>import csv trades binance</c>), when, and
/// whether it finished. A repeat of a source already ingested the same way is refused unless forced; a run that
/// started and never finished is named as such (its rows up to where it stopped are in the root). Appended under the
/// root's write lock (<see cref="DataRootLock"/>).
/// </summary>
public static class IngestLedger
{
    public const string FileName = ".ingested.jsonl";

    /// <summary>One line of the ledger.</summary>
    public sealed record Entry(string Sha256, long Bytes, string Source, string How, string State, string At, long Rows);

    /// <summary>The SHA-256 (hex) and length of a file's bytes.</summary>
    public static (string Sha256, long Bytes) Fingerprint(string path, CancellationToken cancel = default)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = fs.Read(buffer)) > 0)
        {
            cancel.ThrowIfCancellationRequested();
            sha.AppendData(buffer, 0, n);
            total += n;
        }
        return (Convert.ToHexStringLower(sha.GetHashAndReset()), total);
    }

    /// <summary>Every entry of <paramref name="root"/>'s ledger (a damaged line is skipped).</summary>
    public static List<Entry> Read(string root)
    {
        var list = new List<Entry>();
        string path = Path.Combine(root, FileName);
        if (!File.Exists(path)) return list;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0) continue;
            try
            {
                if (JsonSerializer.Deserialize(line, IngestLedgerJson.Default.Entry) is { } e) list.Add(e);
            }
            catch (JsonException) { } // a line cut by a crash: the run it names did not finish
        }
        return list;
    }

    /// <summary>
    /// The last entry for a source with <paramref name="sha256"/> ingested <paramref name="how"/>, or null: "done" when a
    /// run finished it, "started" when the last run that began it never finished.
    /// </summary>
    public static Entry? Find(string root, string sha256, string how)
    {
        var matching = Read(root).Where(e => e.Sha256 == sha256 && e.How == how).ToList();
        return matching.LastOrDefault(e => e.State == "done") ?? matching.LastOrDefault();
    }

    /// <summary>Appends an entry (durably: the ledger is fsynced).</summary>
    public static void Append(string root, string sha256, long bytes, string source, string how, string state, long rows = 0)
    {
        Directory.CreateDirectory(root);
        var e = new Entry(sha256, bytes, Path.GetFullPath(source), how, state,
            DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture), rows);
        string line = JsonSerializer.Serialize(e, IngestLedgerJson.Default.Entry) + "\n";
        using var fs = new FileStream(Path.Combine(root, FileName), FileMode.Append, FileAccess.Write, FileShare.Read);
        var bytesOut = System.Text.Encoding.UTF8.GetBytes(line);
        fs.Write(bytesOut);
        fs.Flush(true);
    }

    /// <summary>A sentence for a repeat: what was ingested, when, and how to do it again.</summary>
    public static string Describe(Entry e, string source) => e.State == "done"
        ? $"{source} was already ingested into this data root ({e.How}, {e.At}, {e.Rows:N0} rows; the same bytes as {e.Source}); nothing was done: " +
          "ingesting it again would double its rows (--force to do it anyway)"
        : $"{source} was being ingested into this data root ({e.How}, started {e.At}) by a run that did not finish: its rows up to where it stopped " +
          "are in the root, and ingesting it again would double them (--force to do it anyway, or start from a new root)";
}
