using System.Runtime.InteropServices;

namespace TickEngine.Storage.Compression;

/// <summary>
/// The system's reference LZ4 library (Debian package <c>liblz4-1</c>, file <c>liblz4.so.1</c>) through
/// <c>LibraryImport</c>. Only the block API is used: FORMAT.md stores raw LZ4 blocks, not LZ4 frames.
/// All methods are thread-safe (liblz4's block functions keep no global state).
/// </summary>
public static partial class Lz4Native
{
    private const string Library = "liblz4.so.1";

    [LibraryImport(Library, EntryPoint = "LZ4_compress_default")]
    private static unsafe partial int CompressDefault(byte* src, byte* dst, int srcSize, int dstCapacity);

    [LibraryImport(Library, EntryPoint = "LZ4_decompress_safe")]
    private static unsafe partial int DecompressSafe(byte* src, byte* dst, int compressedSize, int dstCapacity);

    [LibraryImport(Library, EntryPoint = "LZ4_compressBound")]
    private static partial int CompressBoundNative(int inputSize);

    [LibraryImport(Library, EntryPoint = "LZ4_versionNumber")]
    private static partial int VersionNumberNative();

    /// <summary>liblz4's version as a number, e.g. 10904 for 1.9.4; throws a clear error when the library is missing.</summary>
    public static int VersionNumber()
    {
        try { return VersionNumberNative(); }
        catch (DllNotFoundException e) { throw MissingLibrary(e); }
    }

    /// <summary>The largest size LZ4 may produce for <paramref name="inputSize"/> bytes.</summary>
    public static int CompressBound(int inputSize) => inputSize + inputSize / 255 + 16;

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>; returns the size written, or 0 when it does not fit.</summary>
    public static unsafe int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.IsEmpty) return 0;
        try
        {
            fixed (byte* s = source)
            fixed (byte* d = destination)
                return CompressDefault(s, d, source.Length, destination.Length);
        }
        catch (DllNotFoundException e) { throw MissingLibrary(e); }
    }

    /// <summary>Decompresses; returns the number of bytes produced, or a negative number when the input is malformed.</summary>
    public static unsafe int Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        try
        {
            fixed (byte* s = source)
            fixed (byte* d = destination)
                return DecompressSafe(s, d, source.Length, destination.Length);
        }
        catch (DllNotFoundException e) { throw MissingLibrary(e); }
    }

    private static InvalidOperationException MissingLibrary(Exception inner) => new(
        "TickEngine needs the system LZ4 library (liblz4.so.1). On Debian or Ubuntu: apt-get install liblz4-1.", inner);
}
