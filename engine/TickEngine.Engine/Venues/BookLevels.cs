using System.Text.Json;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>
/// The array-of-arrays level lists most venues send (<c>[["price","size", ...], ...]</c>: Bybit two fields, OKX
/// four), read exactly at the instrument's scales into a reused buffer. Allocation-free once the buffer is large
/// enough. Producer thread.
/// </summary>
public static class BookLevels
{
    /// <summary>
    /// Reads the array at the reader's next token into <paramref name="levels"/> from <paramref name="count"/> on;
    /// false (the reason counted as malformed) for anything but exact price and size pairs, a price not above 0 or
    /// a negative size. <paramref name="fields"/>: the fields each level has, or 0 for "at least two".
    /// </summary>
    public static bool Read(ref Utf8JsonReader r, BookSide side, Instrument inst, ref BookLevel[] levels, ref int count, int fields,
        IngestCounters counters, ReadOnlySpan<byte> frame)
    {
        r.Read();
        if (r.TokenType != JsonTokenType.StartArray) { counters.AddMalformed("book levels are not an array", frame); return false; }
        while (r.Read() && r.TokenType == JsonTokenType.StartArray)
        {
            if (!r.Read() || !JsonFields.TryPrice(ref r, inst, out long px) ||
                !r.Read() || !JsonFields.TryQuantity(ref r, inst, out long qty))
            { counters.AddMalformed("book level price or size missing or not exact at the instrument's scale", frame); return false; }
            int read = 2;
            while (r.Read() && r.TokenType != JsonTokenType.EndArray) { r.Skip(); read++; }
            if (fields != 0 && read != fields) { counters.AddMalformed($"a book level does not have {fields} fields", frame); return false; }
            if (px <= 0 || qty < 0) { counters.AddMalformed(FrameRules.BadLevel, frame); return false; }
            if (count == levels.Length) Array.Resize(ref levels, levels.Length * 2);
            levels[count++] = new BookLevel { Side = (byte)side, Price = px, Quantity = qty };
        }
        if (r.TokenType != JsonTokenType.EndArray) { counters.AddMalformed("book levels are not an array of arrays", frame); return false; }
        return true;
    }
}
