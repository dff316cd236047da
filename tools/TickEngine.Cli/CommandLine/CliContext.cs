namespace TickEngine.Cli.CommandLine;

/// <summary>Where a command writes: text output, diagnostics, and the raw standard output for bulk data.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, Func<Stream> OpenStandardOutput, CancellationToken Cancel)
{
    public static CliContext FromConsole(CancellationToken cancel) =>
        new(Console.Out, Console.Error, Console.OpenStandardOutput, cancel);
}
