using System.Globalization;
using System.Runtime.InteropServices;

namespace TickEngine.Storage.Layout;

/// <summary>
/// The one-writer rule of a data root (FORMAT.md, "Layout on disk"): a process that writes segments holds an exclusive
/// <c>flock</c> on <c>&lt;root&gt;/.lock</c> for as long as it writes, and says who it is in <c>&lt;root&gt;/.writer</c>.
/// A second writer is refused at once with a message naming the first; readers take no lock and keep working. The
/// kernel releases the lock when the holder exits, however it exits (a <c>kill -9</c> included), so a stale lock
/// never blocks a root. Any thread; dispose to release.
/// </summary>
public sealed partial class DataRootLock : IDisposable
{
    public const string LockFileName = ".lock";
    public const string WriterFileName = ".writer";

    private const int LockEx = 2, LockNb = 4, EWouldBlock = 11;

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int fd, int operation);

    private FileStream? _file;

    private DataRootLock(string root, FileStream file)
    {
        Root = root;
        _file = file;
    }

    /// <summary>The data root held.</summary>
    public string Root { get; }

    /// <summary>
    /// Takes the write lock of <paramref name="root"/> (created when missing) for <paramref name="purpose"/> (e.g.
    /// "record --exchange sim"). Throws <see cref="DataRootLockedException"/> when another writer holds it.
    /// </summary>
    public static DataRootLock Acquire(string root, string purpose)
    {
        Directory.CreateDirectory(root);
        string path = Path.Combine(root, LockFileName);
        FileStream file;
        try
        {
            // FileShare.None is .NET's own exclusive flock; the call below holds it whatever .NET's locking setting is.
            file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException && IsLockConflict(e))
        {
            throw Locked(root);
        }
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            if (Flock((int)file.SafeFileHandle.DangerousGetHandle(), LockEx | LockNb) != 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                file.Dispose();
                if (errno == EWouldBlock) throw Locked(root);
                throw new IOException($"{root}: cannot lock the data root ({Marshal.GetPInvokeErrorMessage(errno)})");
            }
        }
        try
        {
            File.WriteAllText(Path.Combine(root, WriterFileName),
                string.Create(CultureInfo.InvariantCulture, $"pid {Environment.ProcessId}, {purpose}, since {DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} UTC\n"));
        }
        catch (IOException) { } // who holds the lock is a courtesy; the lock is what counts
        catch (UnauthorizedAccessException) { }
        return new DataRootLock(root, file);
    }

    /// <summary>Who holds <paramref name="root"/>'s write lock, as its holder wrote it, or null.</summary>
    public static string? Holder(string root)
    {
        try { return File.ReadAllText(Path.Combine(root, WriterFileName)).Trim(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>True while some process holds the write lock of <paramref name="root"/> (this one included).</summary>
    public static bool IsHeld(string root)
    {
        if (!File.Exists(Path.Combine(root, LockFileName))) return false;
        try
        {
            using var probe = Acquire(root, "probe");
            return false;
        }
        catch (DataRootLockedException) { return true; }
    }

    private static bool IsLockConflict(IOException e) => e.HResult == EWouldBlock || e.Message.Contains("another process", StringComparison.OrdinalIgnoreCase) ||
                                                         e.Message.Contains("locked", StringComparison.OrdinalIgnoreCase);

    private static DataRootLockedException Locked(string root)
    {
        string? holder = Holder(root);
        return new DataRootLockedException(root,
            $"{root}: the data root is being written by another process ({holder ?? "holder unknown"}); one writer per data root: " +
            "stop it, or write into another root (readers such as export, replay and validate may run alongside)");
    }

    public void Dispose()
    {
        var f = Interlocked.Exchange(ref _file, null);
        if (f is null) return;
        try { File.Delete(Path.Combine(Root, WriterFileName)); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        f.Dispose(); // closing the descriptor releases the flock
    }
}
