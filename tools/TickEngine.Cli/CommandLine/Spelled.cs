using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using TickEngine.Storage.Format;

namespace TickEngine.Cli.CommandLine;

/// <summary>
/// An option with the spellings it had in earlier releases, kept as hidden aliases for one release: the value
/// comes from whichever spelling was used (both at once is an error), and using an old one prints a note.
/// </summary>
public sealed class Spelled<T>
{
    private Spelled(Option<T> option, Option<T>[] old)
    {
        Option = option;
        Old = old;
    }

    public Option<T> Option { get; }
    public IReadOnlyList<Option<T>> Old { get; }
    public string Name => Option.Name;

    public static Spelled<T> Create(Option<T> option, string[] oldNames)
    {
        var old = new Option<T>[oldNames.Length];
        for (int i = 0; i < oldNames.Length; i++)
        {
            var o = new Option<T>(oldNames[i]) { Hidden = true, Arity = option.Arity, AllowMultipleArgumentsPerToken = option.AllowMultipleArgumentsPerToken, CustomParser = option.CustomParser };
            old[i] = o;
        }
        return new Spelled<T>(option, old);
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Option);
        foreach (var o in Old) command.Options.Add(o);
    }

    /// <summary>True when any spelling was given.</summary>
    public bool Given(ParseResult r) => r.GetResult(Option) is { Implicit: false } || Old.Any(o => r.GetResult(o) is { Implicit: false });

    /// <summary>The value from the spelling given (default when none), noting an old spelling on <paramref name="notes"/>.</summary>
    public T? Get(ParseResult r, TextWriter? notes)
    {
        Option<T>? used = r.GetResult(Option) is { Implicit: false } ? Option : null;
        foreach (var o in Old)
        {
            if (r.GetResult(o) is not { Implicit: false }) continue;
            if (used is not null) throw new UsageException($"{used.Name} and {o.Name} are the same option: give it once (as {Option.Name})");
            used = o;
            notes?.WriteLine($"note: {o.Name} is now spelled {Option.Name}; the old spelling is accepted until the next release");
        }
        if (used is null) return Option.HasDefaultValue ? r.GetValue(Option) : default;
        return r.GetValue(used);
    }
}
