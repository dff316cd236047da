using System.Buffers.Text;
using TickEngine.Storage.Numerics;

namespace TickEngine.Cli.Csv;

/// <summary>A buffered UTF-8 writer for CSV and JSON lines: numbers and decimals formatted without allocating.</summary>
public sealed class Utf8Output : IDisposable
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _pos;

    public Utf8Output(Stream stream) => _stream = stream;

    public long BytesWritten { get; private set; }

    private Span<byte> Reserve(int n)
    {
        if (_pos + n > _buffer.Length) Flush();
        return _buffer.AsSpan(_pos);
    }

    public void Raw(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length) { Flush(); _stream.Write(bytes); BytesWritten += bytes.Length; return; }
        bytes.CopyTo(Reserve(bytes.Length));
        _pos += bytes.Length;
    }

    public void Byte(byte b)
    {
        Reserve(1)[0] = b;
        _pos++;
    }

    public void Long(long v)
    {
        var span = Reserve(24);
        Utf8Formatter.TryFormat(v, span, out int n);
        _pos += n;
    }

    public void Decimal(long mantissa, int scale)
    {
        var span = Reserve(48); // may flush: take the position only after it
        int n = FixedDecimal.Format(mantissa, scale, span);
        _pos += n;
    }

    /// <summary>Nanoseconds as exact epoch milliseconds ("1723161255342" or "1723161255342.5").</summary>
    public void Millis(long ns) => Decimal(ns, 6);

    public void Flush()
    {
        if (_pos == 0) return;
        _stream.Write(_buffer, 0, _pos);
        BytesWritten += _pos;
        _pos = 0;
    }

    public void Dispose()
    {
        Flush();
        _stream.Flush();
    }
}
