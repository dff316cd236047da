using System.Text.Json;

namespace TickEngine.Engine.Venues;

/// <summary>
/// Instrument metadata a venue publishes (tick size, lot size) turned into the scales its prices and quantities are
/// stored at: the decimals the increment needs, never fewer than the registry's default (8), at most 18. Kept per
/// symbol until the symbol is first registered (<see cref="Ingest.InstrumentRegistry.Resolve"/>). Off the frame path.
/// </summary>
public sealed class InstrumentScales(int priceFloor, int quantityFloor)
{
    private readonly Dictionary<string, (int Price, int Quantity)> _bySymbol = new(StringComparer.OrdinalIgnoreCase);

    public int Count => _bySymbol.Count;

    public (int Price, int Quantity)? Of(string symbol) => _bySymbol.TryGetValue(symbol, out var s) ? s : null;

    public void Set(string symbol, string? tickSize, string? lotSize) =>
        _bySymbol[symbol] = (ScaleOf(tickSize, priceFloor), ScaleOf(lotSize, quantityFloor));

    /// <summary>Reads a list of instrument objects, taking each one's symbol and increments by the venue's field names.</summary>
    public void Read(JsonElement list, string symbolField, string tickField, string lotField, string? lotFallbackField = null)
    {
        if (list.ValueKind != JsonValueKind.Array) return;
        foreach (var item in list.EnumerateArray())
        {
            // An entry whose symbol is not text (a number, say) names no instrument we record: skipped, never an error
            // that would stop the recording.
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty(symbolField, out var sym) || sym.ValueKind != JsonValueKind.String ||
                sym.GetString() is not { Length: > 0 } symbol) { Skipped++; continue; }
            Set(symbol, Text(item, tickField), Text(item, lotField) ?? (lotFallbackField is null ? null : Text(item, lotFallbackField)));
        }
    }

    private static string? Text(JsonElement item, string path)
    {
        var e = item;
        foreach (var part in path.Split('.'))
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(part, out e)) return null;
        return e.ValueKind == JsonValueKind.String ? e.GetString() : null;
    }

    /// <summary>Entries of the lists read that named no instrument (no symbol, or one that is not text).</summary>
    public int Skipped { get; private set; }

    /// <summary>
    /// Decimals an increment ("0.010" needs 2) or the floor, whichever is more. An increment that is not a plain
    /// decimal, or needs more than 18 decimals (no 64-bit mantissa could hold a whole price at it), says nothing: the
    /// floor, and the data moves the scale if a value needs it (<see cref="Ingest.Instrument"/>).
    /// </summary>
    public static int ScaleOf(string? increment, int floor)
    {
        if (string.IsNullOrEmpty(increment) || !Storage.Numerics.FixedDecimal.TryFit(System.Text.Encoding.ASCII.GetBytes(increment), out int decimals, out _))
            return floor;
        return decimals > 18 ? floor : Math.Max(decimals, floor);
    }
}
