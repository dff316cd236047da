using K4os.Compression.LZ4;

namespace TickEngine.Storage.Compression;

/// <summary>
/// Raw LZ4 blocks (the LZ4 block format, not the LZ4 frame), as FORMAT.md section 5.5 stores them, through
/// K4os.Compression.LZ4 at its default level (L00_FAST, liblz4's <c>LZ4_compress_default</c>): its output is
/// byte-identical to the reference liblz4 on our column blocks, and the golden files prove it. Managed code only,
/// no system library. Thread-safe; allocation-free per call.
/// </summary>
public static class Lz4Block
{
    /// <summary>The largest size LZ4 may produce for <paramref name="inputSize"/> bytes.</summary>
    public static int CompressBound(int inputSize) => LZ4Codec.MaximumOutputSize(inputSize);

    /// <summary>Compresses <paramref name="source"/> into <paramref name="destination"/>; returns the size written, or 0 when it does not fit.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.IsEmpty) return 0;
        int n = LZ4Codec.Encode(source, destination, LZ4Level.L00_FAST);
        return n > 0 ? n : 0;
    }

    /// <summary>Decompresses; returns the number of bytes produced, or a negative number when the input is malformed.</summary>
    public static int Decompress(ReadOnlySpan<byte> source, Span<byte> destination) => LZ4Codec.Decode(source, destination);
}
