namespace TickEngine.Engine.Capture;

/// <summary>
/// Lines of a stream as UTF-8 bytes (no decoding, no string per line), each at most <see cref="MaxLineBytes"/> long: a
/// longer line is an <see cref="InvalidDataException"/> naming its number, never a buffer that grows with it. The
/// buffer grows to the longest line met, at most the limit. A final line without a newline is a line. One thread.
/// </summary>
public sealed class LineReader(Stream stream, int maxLineBytes)
{
    private byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private bool _eof;

    /// <summary>The longest line taken.</summary>
    public int MaxLineBytes { get; } = maxLineBytes;

    /// <summary>Lines read so far (the number of the line last returned).</summary>
    public long Line { get; private set; }

    /// <summary>Bytes consumed so far.</summary>
    public long Position { get; private set; }

    /// <summary>The next line without its end (<c>\n</c> or <c>\r\n</c>); false at the end of the stream.</summary>
    public bool TryRead(out ReadOnlySpan<byte> line)
    {
        int scanned = 0;
        while (true)
        {
            int nl = _buffer.AsSpan(_start + scanned, _end - _start - scanned).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int len = scanned + nl;
                line = _buffer.AsSpan(_start, len > 0 && _buffer[_start + len - 1] == (byte)'\r' ? len - 1 : len);
                if (line.Length > MaxLineBytes) throw TooLong();
                _start += len + 1;
                Position += len + 1;
                Line++;
                return true;
            }
            scanned = _end - _start;
            if (scanned > MaxLineBytes) throw TooLong();
            if (_eof)
            {
                if (scanned == 0) { line = default; return false; }
                line = _buffer.AsSpan(_start, scanned);
                _start = _end;
                Position += scanned;
                Line++;
                return true;
            }
            Fill();
        }
    }

    private void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, (int)Math.Min((long)_buffer.Length * 2, (long)MaxLineBytes + 2));
        int n = stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
    }

    private InvalidDataException TooLong() =>
        new($"line {Line + 1} is longer than {MaxLineBytes:N0} bytes (the longest line read); it is not a line of this format");
}
