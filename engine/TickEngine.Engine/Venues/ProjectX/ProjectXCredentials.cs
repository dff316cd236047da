using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues.ProjectX;

/// <summary>
/// A ProjectX user name and API key (<c>/api/Auth/loginKey</c>). From the environment (<c>PROJECTX_USERNAME</c>,
/// <c>PROJECTX_API_KEY</c>) or a file of <c>username=...</c> and <c>api_key=...</c> lines that only its owner may read
/// (mode 600 or stricter: a file others can read is refused). The key is a <see cref="Secret"/>: never printed.
/// </summary>
public sealed record ProjectXCredentials(string UserName, Secret ApiKey)
{
    public const string UserVariable = "PROJECTX_USERNAME", KeyVariable = "PROJECTX_API_KEY";

    public override string ToString() => $"{UserName} [key redacted]";

    /// <summary>The file's credentials when <paramref name="file"/> is given, else the environment's; null when neither names them.</summary>
    public static ProjectXCredentials? Load(string? file)
    {
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"the ProjectX credentials file '{file}' does not exist");
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(file);
                const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
                                            UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
                if ((mode & others) != 0)
                    throw new UnauthorizedAccessException($"the ProjectX credentials file '{file}' can be read by others (mode {Convert.ToString((int)mode, 8)}): chmod 600 it");
            }
            string? user = null, key = null;
            int n = 0;
            foreach (var raw in File.ReadAllLines(file))
            {
                n++;
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#') continue;
                int eq = line.IndexOf('=');
                if (eq <= 0) throw new InvalidDataException($"{file}:{n}: expected 'username=...' or 'api_key=...'");
                var name = line[..eq].Trim().ToLowerInvariant();
                var value = line[(eq + 1)..].Trim();
                if (name is "username" or "user") user = value;
                else if (name is "api_key" or "apikey" or "key") key = value;
                else throw new InvalidDataException($"{file}:{n}: unknown setting '{name}' (username, api_key)");
            }
            if (string.IsNullOrWhiteSpace(user) || string.IsNullOrWhiteSpace(key))
                throw new InvalidDataException($"{file}: needs both username=... and api_key=...");
            return new ProjectXCredentials(user, new Secret(key));
        }
        string? u = Environment.GetEnvironmentVariable(UserVariable), k = Environment.GetEnvironmentVariable(KeyVariable);
        if (string.IsNullOrWhiteSpace(u) || string.IsNullOrWhiteSpace(k)) return null;
        return new ProjectXCredentials(u.Trim(), new Secret(k));
    }
}
