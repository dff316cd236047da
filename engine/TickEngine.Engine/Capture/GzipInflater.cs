using System.IO.Compression;
using System.IO.Pipelines;
using System.Runtime.InteropServices;

namespace TickEngine.Engine.Capture;

/// <summary>
/// Inflates a gzip file into a pipe and knows where it ends: every member must reach its end (zlib has checked
/// its CRC-32 and length) before the file does. A file cut short, which System.IO.Compression's GZipStream reads as
/// complete, is an <see cref="InvalidDataException"/> naming the compressed byte offset where the data stopped;
/// everything inflated before it has been written to the pipe. Several members (concatenated gzip files) are read
/// one after the other; zero bytes after the last member are padding. Uses the zlib of the .NET runtime's own
/// System.IO.Compression native library (the functions GZipStream calls), through its exported C entry points;
/// where that library cannot be loaded it falls back to GZipStream, without the truncation check.
/// </summary>
internal static unsafe partial class GzipInflater
{
    private const string Library = "libSystem.IO.Compression.Native";
    private const int GzipWindowBits = 31; // 15-bit window, gzip header and trailer
    private const int ZOk = 0, ZStreamEnd = 1, ZBufError = -5;

    [StructLayout(LayoutKind.Sequential)]
    private struct ZStream
    {
        public byte* NextIn;
        public byte* NextOut;
        public nint Message;
        public nint InternalState;
        public uint AvailIn;
        public uint AvailOut;
    }

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateInit2_")]
    private static partial int InflateInit2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_Inflate")]
    private static partial int Inflate(ZStream* stream, int flush);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateReset2_")]
    private static partial int InflateReset2(ZStream* stream, int windowBits);

    [LibraryImport(Library, EntryPoint = "CompressionNative_InflateEnd")]
    private static partial int InflateEnd(ZStream* stream);

    /// <summary>Inflates <paramref name="file"/> (positioned at its start) into <paramref name="writer"/>; throws for damage or a cut.</summary>
    public static void Run(Stream file, PipeWriter writer, CancellationToken cancel)
    {
        ZStream* z;
        try
        {
            z = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));
        }
        catch (OutOfMemoryException) { throw; }
        int init;
        try { init = InflateInit2(z, GzipWindowBits); }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            NativeMemory.Free(z);
            Fallback(file, writer, cancel);
            return;
        }
        if (init != ZOk) { NativeMemory.Free(z); throw new InvalidDataException($"zlib could not start ({init})"); }
        var input = new byte[1 << 17];
        long read = 0;          // compressed bytes read from the file
        bool inMember = false;  // a member has started and has not reached its end
        bool started = false;
        try
        {
            fixed (byte* inBase = input)
            {
                while (!cancel.IsCancellationRequested)
                {
                    if (z->AvailIn == 0)
                    {
                        int n = file.Read(input, 0, input.Length);
                        if (n == 0)
                        {
                            if (inMember) throw new InvalidDataException($"the gzip data stops inside a member at byte {read:N0} of the file: the file is cut short (its end and checksum are missing)");
                            if (!started) throw new InvalidDataException("the gzip file holds no member");
                            break;
                        }
                        read += n;
                        z->NextIn = inBase;
                        z->AvailIn = (uint)n;
                    }
                    if (!inMember)
                    {
                        // Between members: zero padding may follow the last one; anything else must be a new member.
                        if (started)
                        {
                            while (z->AvailIn > 0 && *z->NextIn == 0) { z->NextIn++; z->AvailIn--; }
                            if (z->AvailIn == 0) continue;
                            int reset = InflateReset2(z, GzipWindowBits);
                            if (reset != ZOk) throw new InvalidDataException($"zlib could not start the next member ({reset})");
                        }
                        inMember = true;
                        started = true;
                    }
                    var memory = writer.GetMemory(1 << 17);
                    int rc;
                    int produced;
                    using (var pin = memory.Pin())
                    {
                        z->NextOut = (byte*)pin.Pointer;
                        z->AvailOut = (uint)memory.Length;
                        rc = Inflate(z, 0);
                        produced = memory.Length - (int)z->AvailOut;
                    }
                    if (produced > 0)
                    {
                        writer.Advance(produced);
                        var flush = writer.FlushAsync(cancel);
                        var flushed = flush.IsCompleted ? flush.Result : flush.AsTask().GetAwaiter().GetResult();
                        if (flushed.IsCompleted) return; // the reader stopped
                    }
                    if (rc == ZStreamEnd) { inMember = false; continue; }
                    if (rc == ZOk || rc == ZBufError) continue;
                    long at = read - z->AvailIn;
                    string message = z->Message != 0 ? Marshal.PtrToStringAnsi(z->Message) ?? "" : "";
                    throw new InvalidDataException($"the gzip data is damaged at byte {at:N0} of the file ({(message.Length > 0 ? message : $"zlib error {rc}")})");
                }
            }
        }
        finally
        {
            InflateEnd(z);
            NativeMemory.Free(z);
        }
    }

    private static void Fallback(Stream file, PipeWriter writer, CancellationToken cancel)
    {
        using var gzip = new GZipStream(file, CompressionMode.Decompress, leaveOpen: true);
        while (!cancel.IsCancellationRequested)
        {
            var memory = writer.GetMemory(1 << 17);
            int n = gzip.Read(memory.Span);
            if (n == 0) break;
            writer.Advance(n);
            var flush = writer.FlushAsync(cancel);
            var flushed = flush.IsCompleted ? flush.Result : flush.AsTask().GetAwaiter().GetResult();
            if (flushed.IsCompleted) return;
        }
    }
}
