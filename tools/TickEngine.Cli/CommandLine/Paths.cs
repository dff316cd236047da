using System.CommandLine;

namespace TickEngine.Cli.CommandLine;

/// <summary>The data path of verbs that took it as a positional PATH in earlier releases (now <c>--data</c>).</summary>
public static class Paths
{
    public static string DataOrPositional(Spelled<string?> data, Argument<string?> positional, ParseResult r, CliContext ctx)
    {
        string? p = data.Get(r, ctx.Error);
        if (r.GetValue(positional) is { } old)
        {
            if (p is not null) throw new UsageException("give the path once, as --data");
            ctx.Error.WriteLine("note: the PATH argument is now spelled --data; the old spelling is accepted until the next release");
            p = old;
        }
        return p ?? throw new UsageException("--data is required: a segment file or a data root");
    }

    /// <summary>
    /// Refuses an output path that would overwrite data being read: a segment file (<c>.tks</c>), the segment or
    /// data root given as <paramref name="data"/>, anything in the root's exchange folders (where segments live), or
    /// the root's own files (its lock, writer and ledger). A file at the root's top level (an export beside the data,
    /// a summary) is no segment and is allowed. Links are resolved first.
    /// </summary>
    public static void CheckOutsideData(string output, string data, string option)
    {
        string o = Resolve(output);
        string d = Resolve(data);
        if (o.EndsWith(Storage.Layout.DataRoot.Extension, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"{option} {output} names a segment file (.tks): an export never overwrites a segment; give another file name");
        if (string.Equals(o, d, StringComparison.Ordinal))
            throw new UsageException($"{option} {output} is the data being read; give another file name");
        string rootPrefix = d.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (Directory.Exists(d) && o.StartsWith(rootPrefix, StringComparison.Ordinal))
        {
            string inside = o[rootPrefix.Length..];
            string name = Path.GetFileName(o);
            if (inside.Contains(Path.DirectorySeparatorChar) || name is Storage.Layout.DataRootLock.LockFileName or Storage.Layout.DataRootLock.WriterFileName or Storage.Layout.IngestLedger.FileName)
                throw new UsageException($"{option} {output} is among the data root's segments or its own files: write outputs beside them (at the root's top level) or outside it");
        }
    }

    /// <summary>The full path with symbolic links resolved (of the path itself, or of its folder when it does not exist yet).</summary>
    private static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            var info = new FileInfo(full);
            if (info.Exists && info.LinkTarget is not null) return Path.GetFullPath(info.ResolveLinkTarget(true)!.FullName);
            var dir = new DirectoryInfo(full);
            if (dir.Exists && dir.LinkTarget is not null) return Path.GetFullPath(dir.ResolveLinkTarget(true)!.FullName);
            string? parent = Path.GetDirectoryName(full);
            if (parent is not null && Directory.Exists(parent)) return Path.Combine(RealDirectory(parent), Path.GetFileName(full));
        }
        catch (IOException) { }
        return full;
    }

    private static string RealDirectory(string dir)
    {
        // Resolve each component's link, from the root down.
        var parts = Path.GetFullPath(dir).Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        string current = Path.DirectorySeparatorChar.ToString();
        foreach (var part in parts)
        {
            string next = Path.Combine(current, part);
            var di = new DirectoryInfo(next);
            current = di.Exists && di.LinkTarget is not null ? Path.GetFullPath(di.ResolveLinkTarget(true)!.FullName) : next;
        }
        return current;
    }
}
