namespace TickEngine.Engine.Live;

/// <summary>
/// A credential (an exchange API key): its text is only given to the request that needs it (<see cref="Reveal"/>);
/// printing, formatting or serialising it shows <c>[redacted]</c>, so it cannot reach a log, a summary or an
/// exception message by accident. Read from the environment or a file, never from the command line (which other
/// users of the machine can see).
/// </summary>
public sealed class Secret
{
    private readonly string _value;

    public Secret(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        _value = value.Trim();
    }

    /// <summary>The text, for the request header that carries it.</summary>
    public string Reveal() => _value;

    public override string ToString() => "[redacted]";

    /// <summary>The environment variable if set, else the file's contents if a file is given, else none.</summary>
    public static Secret? FromEnvironmentOrFile(string variable, string? file)
    {
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"the API key file '{file}' does not exist");
            string text = File.ReadAllText(file);
            if (string.IsNullOrWhiteSpace(text)) throw new InvalidDataException($"the API key file '{file}' is empty");
            return new Secret(text);
        }
        string? env = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(env) ? null : new Secret(env);
    }
}
