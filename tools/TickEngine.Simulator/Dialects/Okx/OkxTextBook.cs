using System.Globalization;
using System.Text;

namespace TickEngine.Simulator.Dialects.Okx;

/// <summary>
/// An OKX book kept as OKX's own text: each level's price and size strings as they were written, ordered by the
/// price's decimal value; and OKX's checksum computed the way OKX documents it, over those strings: the top 25 bids
/// and asks interleaved as <c>bidPx:bidSz:askPx:askSz:...</c> (a shorter side leaves the other's pairs alone),
/// CRC-32 (IEEE 802.3) of the text, read as a signed 32-bit integer. Written apart from the engine's checksum
/// (no fixed-point values, no number formatting, its own CRC), so the simulator's live tests can catch a bug in the
/// engine's; checked against the checksums of the real OKX capture.
/// </summary>
public sealed class OkxTextBook
{
    private readonly SortedDictionary<decimal, (string Price, string Size)> _bids = new(Comparer<decimal>.Create((a, b) => b.CompareTo(a)));
    private readonly SortedDictionary<decimal, (string Price, string Size)> _asks = new();

    public void Clear()
    {
        _bids.Clear();
        _asks.Clear();
    }

    /// <summary>Sets a level from OKX's strings; a size of zero removes it.</summary>
    public void Set(bool bid, string price, string size)
    {
        var side = bid ? _bids : _asks;
        decimal p = decimal.Parse(price, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture);
        if (decimal.Parse(size, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture) == 0) side.Remove(p);
        else side[p] = (price, size);
    }

    /// <summary>The levels of a side, best first, as OKX's strings.</summary>
    public IEnumerable<(string Price, string Size)> Levels(bool bid) => (bid ? _bids : _asks).Values;

    /// <summary>OKX's checksum of the book as it stands.</summary>
    public int Checksum()
    {
        var bids = _bids.Values.Take(25).ToList();
        var asks = _asks.Values.Take(25).ToList();
        var parts = new List<string>();
        for (int i = 0; i < 25; i++)
        {
            if (i < bids.Count) { parts.Add(bids[i].Price); parts.Add(bids[i].Size); }
            if (i < asks.Count) { parts.Add(asks[i].Price); parts.Add(asks[i].Size); }
        }
        return unchecked((int)Crc32(Encoding.ASCII.GetBytes(string.Join(":", parts))));
    }

    /// <summary>CRC-32 as IEEE 802.3 and zlib compute it: reflected polynomial 0xEDB88320, initial and final value all ones; bit by bit.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
        }
        return ~crc;
    }
}
