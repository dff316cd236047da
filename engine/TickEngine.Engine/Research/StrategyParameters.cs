using System.Globalization;
using TickEngine.Storage.Numerics;

namespace TickEngine.Engine.Research;

/// <summary>Strategy parameters by name (<c>--param k=v</c>), with the strategy's defaults; unknown names are an error.</summary>
public sealed class StrategyParameters
{
    private readonly Dictionary<string, string> _given;
    private readonly HashSet<string> _used = new();

    public StrategyParameters(IReadOnlyDictionary<string, string>? given = null) =>
        _given = given is null ? new() : new Dictionary<string, string>(given, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyDictionary<string, string> Given => _given;

    public decimal Decimal(string name, decimal fallback)
    {
        _used.Add(name);
        if (!_given.TryGetValue(name, out var text)) return fallback;
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"--param {name}={text}: not a number");
    }

    public int Int(string name, int fallback) => (int)Decimal(name, fallback);

    /// <summary>A number within [<paramref name="min"/>, <paramref name="max"/>]; outside it is an error naming the range.</summary>
    public decimal Decimal(string name, decimal fallback, decimal min, decimal max = decimal.MaxValue)
    {
        decimal v = Decimal(name, fallback);
        if (v < min || v > max)
            throw new ArgumentException($"--param {name}={Text(v)}: must be {(max == decimal.MaxValue ? $"at least {Text(min)}" : $"from {Text(min)} to {Text(max)}")}");
        return v;
    }

    /// <summary>A whole number within [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public int Int(string name, int fallback, int min, int max = int.MaxValue)
    {
        decimal v = Decimal(name, fallback, min, max);
        if (v != Math.Floor(v)) throw new ArgumentException($"--param {name}={Text(v)}: must be a whole number");
        return (int)v;
    }

    /// <summary>A quantity or price above 0 as a mantissa at <paramref name="scale"/>.</summary>
    public long Positive(string name, decimal fallback, int scale)
    {
        long m = Fixed(name, fallback, scale);
        if (m <= 0) throw new ArgumentException($"--param {name}={Text(Decimal(name, fallback))}: must be above 0");
        return m;
    }

    /// <summary>Whether the parameter was given.</summary>
    public bool Has(string name) { _used.Add(name); return _given.ContainsKey(name); }

    private static string Text(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    /// <summary>A quantity or price parameter as a mantissa at <paramref name="scale"/>: exact, or an error.</summary>
    public long Fixed(string name, decimal fallback, int scale)
    {
        decimal v = Decimal(name, fallback);
        string text = v.ToString(CultureInfo.InvariantCulture);
        if (!FixedDecimal.TryParse(text.AsSpan(), scale, out long m, out var error)) throw new ArgumentException($"--param {name}={text}: {FixedDecimal.Describe(error, text, scale)}");
        return m;
    }

    /// <summary>Names given that the strategy never asked for: a typo, refused.</summary>
    public void CheckAllUsed(string strategy)
    {
        var unknown = _given.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"strategy {strategy} has no parameter {string.Join(", ", unknown)}; it takes {string.Join(", ", _used.Order())}");
    }
}
