using System.Collections.Concurrent;
using System.Globalization;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Research;

/// <summary>A parameter to tune: a fixed value, or a range a..b (inclusive) sampled on a grid or at random.</summary>
public sealed record TuneParameter(string Name, decimal From, decimal To)
{
    public bool Fixed => From == To;

    /// <summary>Whole numbers only (a count such as levels per side): drawn values are rounded to integers.</summary>
    public bool Whole { get; init; }

    /// <summary>"name=v" or "name=a..b".</summary>
    public static TuneParameter Parse(string text)
    {
        int eq = text.IndexOf('=');
        if (eq <= 0) throw new ArgumentException($"--param {text}: give name=value or name=from..to");
        string name = text[..eq].Trim(), value = text[(eq + 1)..].Trim();
        int dots = value.IndexOf("..", StringComparison.Ordinal);
        string a = dots < 0 ? value : value[..dots], b = dots < 0 ? value : value[(dots + 2)..];
        if (!decimal.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out var from) || !decimal.TryParse(b, NumberStyles.Float, CultureInfo.InvariantCulture, out var to))
            throw new ArgumentException($"--param {text}: '{value}' is not a number or a range from..to");
        if (to < from) throw new ArgumentException($"--param {text}: the range ends below its start");
        return new TuneParameter(name, from, to);
    }

    /// <summary>Decimals a drawn value keeps: two more than the bounds show, at most 8.</summary>
    public int Decimals => Whole ? 0 : Math.Min(8, Math.Max(Scale(From), Scale(To)) + 2);

    private static int Scale(decimal d) => (d.ToString(CultureInfo.InvariantCulture).Split('.') is { Length: 2 } p) ? p[1].TrimEnd('0').Length : 0;
}
