using System.Runtime.InteropServices;

namespace TickEngine.Storage.Writing;

/// <summary>
/// Reserves disk space for a segment before it is mapped: <c>posix_fallocate</c> (libc, through
/// <c>LibraryImport</c>) allocates the blocks, so a full disk is an <see cref="IOException"/> when the file grows,
/// never a SIGBUS later when a mapped page is first written (which is what a sparse <c>ftruncate</c> would give).
/// </summary>
internal static partial class FileSpace
{
    private const int ENOSPC = 28, EDQUOT = 122, EINVAL = 22, EOPNOTSUPP = 95;

    [LibraryImport("libc", EntryPoint = "posix_fallocate")]
    private static partial int PosixFallocate(int fd, long offset, long length);

    /// <summary>Binds posix_fallocate (an invalid descriptor: it does nothing) so its first real call allocates nothing.</summary>
    public static void Bind() => PosixFallocate(-1, 0, 0);

    /// <summary>Makes <paramref name="file"/> at least <paramref name="length"/> bytes long with its space allocated.</summary>
    public static void Reserve(FileStream file, string path, long length)
    {
        long current = file.Length;
        if (current >= length) return;
        if (!OperatingSystem.IsLinux())
        {
            file.SetLength(length);
            return;
        }
        int rc = PosixFallocate((int)file.SafeFileHandle.DangerousGetHandle(), current, length - current);
        if (rc == 0) return;
        if (rc is EINVAL or EOPNOTSUPP)
        {
            // A file system without allocation (rare on Linux: glibc emulates it): grow the file as before.
            file.SetLength(length);
            return;
        }
        string why = rc is ENOSPC or EDQUOT ? "no space left on the device" : $"error {rc} ({Marshal.GetPInvokeErrorMessage(rc)})";
        throw new IOException($"{path}: cannot grow the segment to {length:N0} bytes: {why}; every block committed before is kept");
    }
}
