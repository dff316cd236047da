using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.CommandLine;

/// <summary>
/// The options every verb shares, spelled one way across the CLI (README, "The CLI"): <c>--data</c> for a data
/// root (or one segment), <c>--schema</c>, <c>--symbol</c>, <c>--exchange</c>, <c>--start</c>/<c>--end</c>,
/// <c>--out</c> for what a verb writes, <c>--capture</c>, <c>--speed</c>, <c>--rate</c>, <c>--json</c>,
/// <c>--quiet</c>. Spellings of earlier releases are accepted as hidden aliases for one release, with a note on
/// stderr. Every option is a new instance per verb (an option belongs to one command).
/// </summary>
public static class Vocabulary
{
    public static Spelled<string?> Data(string description, params string[] old) => Spelled<string?>.Create(new Option<string?>("--data") { Description = description, HelpName = "PATH" }, old);

    public static Spelled<string[]> Symbol(string description, params string[] old) => Spelled<string[]>.Create(List("--symbol", description, "S[,S...]"), old);

    public static Spelled<string[]> Exchange(string description, params string[] old) => Spelled<string[]>.Create(List("--exchange", description, "X[,X...]"), old);

    public static Option<string?> Text(string name, string description, string helpName) => new(name) { Description = description, HelpName = helpName };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<bool> Quiet() => Flag("--quiet", "print only errors (and the result a verb exists for)");

    public static Option<bool> Json() => Flag("--json", "machine-readable JSON on stdout instead of the human report");

    /// <summary>A comma-separated list (the option may also be repeated); empty items are an error.</summary>
    public static Option<string[]> List(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = r =>
        {
            var items = new List<string>();
            foreach (var t in r.Tokens)
            {
                foreach (var part in t.Value.Split(',', StringSplitOptions.TrimEntries))
                {
                    if (part.Length == 0) { r.AddError($"{name} '{t.Value}' has an empty item: give a comma-separated list such as BTCUSDT,ETHUSDT"); return []; }
                    items.Add(part);
                }
            }
            return items.Distinct(StringComparer.Ordinal).ToArray();
        },
    };

    public static Option<int> Int(string name, string description, int fallback, int min, int max) => new(name)
    {
        Description = description,
        HelpName = "N",
        DefaultValueFactory = _ => fallback,
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int n) && n >= min && n <= max) return n;
            r.AddError($"{name} must be a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
            return fallback;
        },
    };

    /// <summary>A number in [min, max]; no default (absent = null).</summary>
    public static Option<double?> Number(string name, string description, double min, double max, string helpName = "X") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v >= min && v <= max) return v;
            r.AddError($"{name} must be a number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}, got '{text}'");
            return null;
        },
    };

    /// <summary>A time: epoch milliseconds (with a fraction if need be) or ISO-8601 (UTC unless an offset is given); nanoseconds.</summary>
    public static Option<long?> Time(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "T",
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            try { return TimeText.ParseToNanos(text, name); }
            catch (UsageException e) { r.AddError(e.Message); return null; }
        },
    };

    /// <summary>A duration such as 500ms, 2s, 1.5m, 1h, 1d, or plain seconds; must be positive.</summary>
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "DURATION",
        CustomParser = r =>
        {
            string text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            if (TryParseDuration(text, out var d) && d > TimeSpan.Zero) return d;
            r.AddError($"{name} must be a positive duration such as 500ms, 30s, 5m, 1h (or seconds), got '{text}'");
            return null;
        },
    };

    public static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        string t = text.Trim();
        double factor = 1;
        if (t.EndsWith("ms", StringComparison.Ordinal)) { factor = 1e-3; t = t[..^2]; }
        else if (t.EndsWith('s')) { factor = 1; t = t[..^1]; }
        else if (t.EndsWith('m')) { factor = 60; t = t[..^1]; }
        else if (t.EndsWith('h')) { factor = 3600; t = t[..^1]; }
        else if (t.EndsWith('d')) { factor = 86400; t = t[..^1]; }
        if (!double.TryParse(t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double n) || !double.IsFinite(n)) return false;
        double seconds = n * factor;
        if (seconds > 366 * 86400.0) return false;
        value = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>One schema: trades, l2, bars (or ohlcv), deltas, status.</summary>
    public static bool TryParseSchema(string text, out SchemaKind kind) => SegmentSchema.TryParseName(text, out kind);

    public static string SchemaNames => Schemas(withStatus: true);

    /// <summary>The schemas' names from their registry (<see cref="SchemaLayouts"/>), "trades, l2, ... or funding", status markers left out unless asked.</summary>
    public static string Schemas(bool withStatus, string last = "or")
    {
        var names = SchemaLayouts.All.Where(l => withStatus || l.Kind != SchemaKind.Status).Select(l => l.Name).ToList();
        return names.Count == 1 ? names[0] : string.Join(", ", names.Take(names.Count - 1)) + $" {last} " + names[^1];
    }
}
