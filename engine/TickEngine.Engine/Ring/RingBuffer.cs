using System.Runtime.CompilerServices;

namespace TickEngine.Engine.Ring;

/// <summary>
/// A pre-allocated power-of-two array of struct slots, addressed by sequence (<c>ref T this[long]</c>). Slots are
/// reused forever; the sequencer decides who may touch which. Dead slots pad both ends of the array so that the
/// hot slots share no cache line with other objects.
/// </summary>
public sealed class RingBuffer<T> where T : unmanaged
{
    private const int Padding = 128;
    private readonly T[] _entries;
    private readonly long _mask;
    private readonly int _pad;

    public RingBuffer(int size)
    {
        if (size < 2 || (size & (size - 1)) != 0) throw new ArgumentException($"ring size must be a power of two of at least 2, got {size}", nameof(size));
        Size = size;
        _mask = size - 1;
        _pad = Math.Max(1, Padding / Unsafe.SizeOf<T>());
        _entries = new T[size + 2 * _pad];
    }

    public int Size { get; }

    /// <summary>The slot of <paramref name="sequence"/>.</summary>
    public ref T this[long sequence]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _entries[_pad + (int)(sequence & _mask)];
    }
}
