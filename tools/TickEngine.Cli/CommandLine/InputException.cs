namespace TickEngine.Cli.CommandLine;

/// <summary>Input data that cannot be used (a bad CSV line, a damaged file): printed without a stack trace, exit code 1.</summary>
public sealed class InputException(string message) : Exception(message);
