using TickEngine.Cli.CommandLine;
using TickEngine.Engine.Capture;

namespace TickEngine.Cli.Commands;

/// <summary>
/// The capture files named on the command line: files as given, and for a folder every regular file directly in
/// it; all in time order (by the first receive time each file holds; then by name).
/// </summary>
public static class CaptureFiles
{
    public static List<string> Resolve(IReadOnlyList<string> paths)
    {
        var files = new List<string>();
        foreach (var p in paths)
        {
            if (File.Exists(p)) { files.Add(p); continue; }
            if (!Directory.Exists(p)) throw new UsageException($"--capture {p}: no such file or folder");
            var inFolder = new DirectoryInfo(p).EnumerateFiles().Where(f => (f.Attributes & FileAttributes.ReparsePoint) == 0).Select(f => f.FullName).ToList();
            if (inFolder.Count == 0) throw new UsageException($"--capture {p}: the folder holds no files");
            files.AddRange(inFolder);
        }
        return files.Distinct().Select(f => (File: f, First: CaptureFileSource.FirstReceiveTime(f) ?? long.MaxValue))
            .OrderBy(x => x.First).ThenBy(x => x.File, StringComparer.Ordinal).Select(x => x.File).ToList();
    }
}
