using System.Runtime.CompilerServices;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Events;

/// <summary>
/// Joins the <see cref="EventKind.RowPart"/> events of one stored row (an L2 sample, a bar) back into the row, in
/// a buffer it reuses. A row's parts are consecutive on the ring, so one assembler per handler suffices.
/// Allocation-free; one thread.
/// </summary>
public sealed class RowAssembler
{
    /// <summary>Columns a part carries besides the two times.</summary>
    public const int ColumnsPerPart = 5;
    public const ushort LastPart = 0x8000;

    private readonly long[] _row = new long[2 + ColumnsPerPart * 64];
    private int _next;

    /// <summary>Parts needed for a row of <paramref name="columns"/> columns.</summary>
    public static int PartsFor(int columns) => Math.Max(1, (columns - 2 + ColumnsPerPart - 1) / ColumnsPerPart);

    /// <summary>Takes one part; true when it completed a row (<paramref name="row"/>, valid until the next call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Add(in MarketEvent e, out ReadOnlySpan<long> row, out SchemaKind schema)
    {
        schema = (SchemaKind)e.Side;
        bool last = (e.Reserved & LastPart) != 0;
        int part = last ? _next : e.Reserved;
        if (part == 0)
        {
            _row[0] = e.ExchangeTime;
            _row[1] = e.ReceiveTime;
        }
        int at = 2 + part * ColumnsPerPart;
        if (at + ColumnsPerPart > _row.Length)
        {
            _next = 0;
            row = default;
            return false;
        }
        _row[at] = e.Price;
        _row[at + 1] = e.Quantity;
        _row[at + 2] = e.Id;
        _row[at + 3] = e.Id2;
        _row[at + 4] = e.Flags;
        if (!last)
        {
            _next = part + 1;
            row = default;
            return false;
        }
        _next = 0;
        row = _row.AsSpan(0, e.Reserved & ~LastPart);
        return true;
    }
}
