using System.Runtime.InteropServices;

namespace TickEngine.Engine.Ring;

/// <summary>
/// A sequence number padded by 56 bytes on each side so that no two sequences share a cache line.
/// <see cref="Value"/> is a plain read, <see cref="VolatileValue"/> an acquire read; <see cref="SetValue"/> is a
/// release write. Thread-safe for one writer and many readers.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 120)]
public sealed class Sequence
{
    public const long InitialValue = -1;

    [FieldOffset(56)] private long _value;

    public Sequence(long initial = InitialValue) => _value = initial;

    /// <summary>Plain read (no ordering).</summary>
    public long Value => _value;

    /// <summary>Acquire read.</summary>
    public long VolatileValue => Volatile.Read(ref _value);

    /// <summary>Release write: everything written before it is visible to a thread that reads the new value.</summary>
    public void SetValue(long value) => Volatile.Write(ref _value, value);

    public override string ToString() => VolatileValue.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
