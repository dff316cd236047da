namespace TickEngine.Cli.CommandLine;

/// <summary>A command line that cannot be run as given: printed with the verb's usage, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
