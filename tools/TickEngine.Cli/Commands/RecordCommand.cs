using TickEngine.Cli.CommandLine;

namespace TickEngine.Cli.Commands;

/// <summary><c>record</c>: wired to the capture engine.</summary>
public static class RecordCommand
{
    public static int Run(IReadOnlyList<string> args, CliContext ctx) =>
        throw new UsageException("record is not available in this build");
}
