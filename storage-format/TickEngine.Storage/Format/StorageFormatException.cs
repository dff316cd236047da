namespace TickEngine.Storage.Format;

/// <summary>
/// A segment, block, index or input that does not follow FORMAT.md. The message names the file and the byte
/// offset (or the line) where the problem was found; <see cref="Offset"/> repeats it for programs.
/// </summary>
public sealed class StorageFormatException : Exception
{
    public StorageFormatException(string path, long offset, string problem)
        : base($"{path}: at byte offset {offset}: {problem}")
    {
        FilePath = path;
        Offset = offset;
        Problem = problem;
    }

    public StorageFormatException(string message) : base(message)
    {
        FilePath = "";
        Offset = -1;
        Problem = message;
    }

    /// <summary>The file concerned.</summary>
    public string FilePath { get; }

    /// <summary>The byte offset of the problem, or -1 when it has none.</summary>
    public long Offset { get; }

    /// <summary>The problem without the file and offset.</summary>
    public string Problem { get; }
}
