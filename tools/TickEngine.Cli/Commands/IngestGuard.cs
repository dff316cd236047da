using TickEngine.Cli.CommandLine;
using TickEngine.Storage.Layout;

namespace TickEngine.Cli.Commands;

/// <summary>
/// Nothing ingested twice: the files a run ingests are looked up in the data root's ledger
/// (<see cref="IngestLedger"/>) before anything is written, a repeat is refused (exit 1, naming when it was ingested)
/// unless <c>--force</c>, and each file is entered as started, then done. Call <see cref="Check"/> before the run,
/// <see cref="Started"/> once the root's write lock is held, <see cref="Done"/> when it finished.
/// </summary>
public sealed class IngestGuard
{
    private readonly string _root;
    private readonly string _how;
    private readonly List<(string Path, string Sha256, long Bytes)> _files = new();

    private IngestGuard(string root, string how)
    {
        _root = root;
        _how = how;
    }

    /// <summary>Fingerprints <paramref name="files"/> and refuses any already ingested <paramref name="how"/> (unless <paramref name="force"/>).</summary>
    public static IngestGuard Check(string root, IEnumerable<string> files, string how, bool force, CliContext ctx)
    {
        var g = new IngestGuard(root, how);
        foreach (var f in files)
        {
            var (sha, bytes) = IngestLedger.Fingerprint(f, ctx.Cancel);
            if (!force && IngestLedger.Find(root, sha, how) is { } previous) throw new InputException(IngestLedger.Describe(previous, f));
            if (g._files.Any(x => x.Sha256 == sha)) throw new UsageException($"{f} is given twice (the same bytes as {g._files.First(x => x.Sha256 == sha).Path})");
            g._files.Add((f, sha, bytes));
        }
        return g;
    }

    public void Started()
    {
        foreach (var (path, sha, bytes) in _files) IngestLedger.Append(_root, sha, bytes, path, _how, "started");
    }

    public void Done(long rows)
    {
        foreach (var (path, sha, bytes) in _files) IngestLedger.Append(_root, sha, bytes, path, _how, "done", rows);
    }
}
