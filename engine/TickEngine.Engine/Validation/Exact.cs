namespace TickEngine.Engine.Validation;

/// <summary>Mantissas at a scale as exact decimals.</summary>
internal static class Exact
{
    public static decimal Dec(long mantissa, int scale)
    {
        ulong m = mantissa < 0 ? (ulong)(-(mantissa + 1)) + 1 : (ulong)mantissa;
        return new decimal((int)(uint)m, (int)(uint)(m >> 32), 0, mantissa < 0, (byte)scale);
    }
}
