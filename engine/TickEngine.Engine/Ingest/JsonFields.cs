using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Ingest;

/// <summary>Reads values of the current token straight into fixed point and integers, without allocating.</summary>
public static class JsonFields
{
    /// <summary>A decimal given as a JSON string (or number) at <paramref name="scale"/>; false when it is not exact.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryDecimal(ref Utf8JsonReader r, int scale, out long mantissa)
    {
        if ((r.TokenType != JsonTokenType.String && r.TokenType != JsonTokenType.Number) || r.ValueIsEscaped || r.HasValueSequence)
        {
            mantissa = 0;
            return false;
        }
        return FixedDecimal.TryParse(r.ValueSpan, scale, out mantissa, out _);
    }

    /// <summary>A price of <paramref name="inst"/> given as a JSON string (or number) at its current scale (<see cref="Instrument.TryPrice"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryPrice(ref Utf8JsonReader r, Instrument inst, out long mantissa)
    {
        mantissa = 0;
        return IsPlainValue(ref r) && inst.TryPrice(r.ValueSpan, out mantissa);
    }

    /// <summary>A quantity of <paramref name="inst"/>; see <see cref="TryPrice"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryQuantity(ref Utf8JsonReader r, Instrument inst, out long mantissa)
    {
        mantissa = 0;
        return IsPlainValue(ref r) && inst.TryQuantity(r.ValueSpan, out mantissa);
    }

    /// <summary>A string or number token whose text is one span, unescaped: what a decimal is read from.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsPlainValue(ref Utf8JsonReader r) =>
        (r.TokenType == JsonTokenType.String || r.TokenType == JsonTokenType.Number) && !r.ValueIsEscaped && !r.HasValueSequence;

    /// <summary>An integer given as a JSON number or a string of digits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryInt64(ref Utf8JsonReader r, out long value)
    {
        if (r.TokenType == JsonTokenType.Number) return r.TryGetInt64(out value);
        if (r.TokenType == JsonTokenType.String && !r.ValueIsEscaped && !r.HasValueSequence)
            return Utf8Parser.TryParse(r.ValueSpan, out value, out int used) && used == r.ValueSpan.Length;
        value = 0;
        return false;
    }

    /// <summary>A JSON boolean.</summary>
    public static bool TryBool(ref Utf8JsonReader r, out bool value)
    {
        value = r.TokenType == JsonTokenType.True;
        return r.TokenType is JsonTokenType.True or JsonTokenType.False;
    }
}
