using System.Runtime.CompilerServices;

namespace TickEngine.Storage.Numerics;

/// <summary>Why a decimal text could not become a fixed-point mantissa.</summary>
public enum DecimalParseError : byte
{
    None = 0,
    Empty,
    NotANumber,
    TooManyDecimals,
    OutOfRange,
}
