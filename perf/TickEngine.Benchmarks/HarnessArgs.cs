using System.Globalization;

namespace TickEngine.Benchmarks;

/// <summary>The harnesses' few options: <c>--name value</c>.</summary>
public static class HarnessArgs
{
    public static string? Value(string[] args, string name)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public static long Long(string[] args, string name, long fallback) =>
        Value(args, name) is { } v ? long.Parse(v, CultureInfo.InvariantCulture) : fallback;

    public static int[] Ints(string[] args, string name, int[] fallback) =>
        Value(args, name) is { } v ? v.Split(',').Select(x => int.Parse(x, CultureInfo.InvariantCulture)).ToArray() : fallback;
}
