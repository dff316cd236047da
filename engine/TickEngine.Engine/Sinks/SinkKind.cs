namespace TickEngine.Engine.Sinks;

/// <summary>
/// A kind of sink <c>record --sink NAME:ARGS</c> can name: its name, what it does, the keys it takes besides the
/// common ones, and how it is made from its arguments (relative places are taken from <c>baseDirectory</c>).
/// </summary>
public sealed record SinkKind(string Name, string Summary, string Usage, IReadOnlyList<string> Keys, Func<SinkArguments, string, ISink> Create);
