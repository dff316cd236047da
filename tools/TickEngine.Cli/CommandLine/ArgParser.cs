namespace TickEngine.Cli.CommandLine;

/// <summary>
/// Parses one verb's arguments: <c>--name value</c>, <c>--name=value</c>, <c>--flag</c> and positionals. Unknown
/// options, missing values and repeated options are usage errors.
/// </summary>
public sealed class ArgParser
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);

    public ArgParser(IReadOnlyList<string> args, IReadOnlyCollection<string> valueOptions, IReadOnlyCollection<string> flagOptions)
    {
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            if (a.StartsWith("--", StringComparison.Ordinal) && a.Length > 2)
            {
                string name = a, value = "";
                bool inline = false;
                int eq = a.IndexOf('=');
                if (eq > 0) { name = a[..eq]; value = a[(eq + 1)..]; inline = true; }
                if (name == "--help") { Help = true; continue; }
                if (valueOptions.Contains(name))
                {
                    if (!inline)
                    {
                        if (i + 1 >= args.Count) throw new UsageException($"option {name} needs a value");
                        value = args[++i];
                    }
                    if (!_values.TryAdd(name, value)) throw new UsageException($"option {name} is given twice");
                }
                else if (flagOptions.Contains(name))
                {
                    if (inline) throw new UsageException($"option {name} takes no value");
                    if (!_values.TryAdd(name, null)) throw new UsageException($"option {name} is given twice");
                }
                else throw new UsageException($"unknown option {name}");
            }
            else if (a == "-h") Help = true;
            else Positionals.Add(a);
        }
    }

    public bool Help { get; }
    public List<string> Positionals { get; } = new();

    public bool Flag(string name) => _values.ContainsKey(name);

    public string? Value(string name) => _values.TryGetValue(name, out var v) ? v : null;

    public string Required(string name) => Value(name) ?? throw new UsageException($"option {name} is required");

    public int Int(string name, int fallback, int min, int max)
    {
        string? v = Value(name);
        if (v is null) return fallback;
        if (!int.TryParse(v, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) || n < min || n > max)
            throw new UsageException($"option {name} must be a whole number from {min} to {max}, got '{v}'");
        return n;
    }

    public double Double(string name, double fallback, double min, double max)
    {
        string? v = Value(name);
        if (v is null) return fallback;
        if (!double.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double n) || !(n >= min && n <= max))
            throw new UsageException($"option {name} must be a number from {min} to {max}, got '{v}'");
        return n;
    }
}
