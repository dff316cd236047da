using System.IO.Hashing;
using TickEngine.Engine.Book;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Venues.Okx;

/// <summary>
/// OKX v5's order-book checksum: CRC-32 (IEEE), read as a signed 32-bit integer, of the top 25 levels of each side
/// interleaved as <c>bidPx:bidSz:askPx:askSz:...</c> (a side with fewer levels leaves the other's remaining pairs
/// alone in order). The text of each number is the exchange's decimal text; OKX sends numbers in shortest form (no
/// trailing zeros, checked on every level of the real capture), which is what <see cref="FixedDecimal.Format"/>
/// writes from the exact fixed-point value, so the book's integers give the exchange's string back. A 0 in a frame
/// means the field is absent (OKX has deprecated it), never a mismatch. Allocation-free.
/// </summary>
public static class OkxChecksum
{
    public const int Levels = 25;

    public static int Compute(OrderBook book, int priceScale, int quantityScale)
    {
        Span<long> bidPx = stackalloc long[Levels], bidSz = stackalloc long[Levels];
        Span<long> askPx = stackalloc long[Levels], askSz = stackalloc long[Levels];
        int bids = book.CopyTop(BookSide.Bid, bidPx, bidSz);
        int asks = book.CopyTop(BookSide.Ask, askPx, askSz);
        // 100 numbers of at most 40 bytes and their separators.
        Span<byte> text = stackalloc byte[Levels * 4 * 41];
        int w = 0;
        for (int i = 0; i < Levels; i++)
        {
            if (i < bids) Pair(bidPx[i], bidSz[i], priceScale, quantityScale, text, ref w);
            if (i < asks) Pair(askPx[i], askSz[i], priceScale, quantityScale, text, ref w);
        }
        return unchecked((int)Crc32.HashToUInt32(text[..w]));
    }

    private static void Pair(long price, long size, int priceScale, int quantityScale, Span<byte> text, ref int w)
    {
        if (w > 0) text[w++] = (byte)':';
        w += FixedDecimal.Format(price, priceScale, text[w..]);
        text[w++] = (byte)':';
        w += FixedDecimal.Format(size, quantityScale, text[w..]);
    }
}
