namespace TickEngine.Engine.Sinks;

/// <summary>The sinks <c>record --sink</c> knows, by name; a new sink adds one entry here.</summary>
public static class SinkKinds
{
    /// <summary>The keys every sink takes (read into its <see cref="SinkOptions"/>).</summary>
    public static readonly IReadOnlyList<string> CommonKeys = ["policy", "pause", "resume", "from", "drain"];

    public static readonly IReadOnlyList<SinkKind> All =
    [
    ];

    public static string Names => string.Join(", ", All.Select(k => k.Name));

    public static SinkKind? Find(string name) => All.FirstOrDefault(k => k.Name == name);

    /// <summary>
    /// A sink and its runner's options from <c>NAME:ARGS</c>; throws <see cref="FormatException"/> naming what is
    /// wrong (an unknown sink, an unknown key, a value out of range).
    /// </summary>
    public static SinkRegistration Parse(string spec, string? baseDirectory = null)
    {
        var a = SinkArguments.Parse(spec);
        var kind = Find(a.Name) ?? throw new FormatException($"--sink '{spec}': no sink is named '{a.Name}' (sinks: {Names})");
        var options = a.RunnerOptions();
        var sink = kind.Create(a, baseDirectory ?? Environment.CurrentDirectory);
        if (a.Get("dir") is not null && a.Place is not null) throw new FormatException($"--sink '{spec}': the folder is given twice");
        a.CheckAllRead(CommonKeys.Concat(kind.Keys).Append("dir"));
        return new SinkRegistration(sink, options);
    }
}
