namespace TickEngine.Cli.Csv;

/// <summary>Splits one CSV line (RFC 4180 quoting) into field ranges without allocating per field.</summary>
public sealed class CsvFields
{
    private readonly List<(int Start, int Length)> _ranges = new();
    private readonly Dictionary<int, string> _unescaped = new(); // fields whose quotes were doubled ("q""x" is q"x)
    private string _line = "";

    public int Count => _ranges.Count;

    /// <summary>Field <paramref name="i"/>, its doubled quotes made single.</summary>
    public ReadOnlySpan<char> this[int i] => _unescaped.TryGetValue(i, out var u) ? u.AsSpan() : _line.AsSpan(_ranges[i].Start, _ranges[i].Length);

    public string Text(int i) => this[i].ToString();

    /// <summary>Splits <paramref name="line"/>; returns an error text for an unterminated quote.</summary>
    public string? Split(string line)
    {
        _line = line;
        _ranges.Clear();
        _unescaped.Clear();
        int i = 0;
        if (line.Length > 0 && line[^1] == '\r') line = line[..^1];
        int end = line.Length;
        while (true)
        {
            if (i < end && line[i] == '"')
            {
                int start = i + 1;
                int j = start;
                bool doubled = false;
                while (true)
                {
                    j = line.IndexOf('"', j);
                    if (j < 0 || j >= end) return "a quoted field is not closed";
                    if (j + 1 < end && line[j + 1] == '"') { j += 2; doubled = true; continue; }
                    break;
                }
                if (doubled) _unescaped[_ranges.Count] = line.Substring(start, j - start).Replace("\"\"", "\"", StringComparison.Ordinal);
                _ranges.Add((start, j - start));
                i = j + 1;
                if (i >= end) break;
                if (line[i] != ',') return "text after a closing quote";
                i++;
            }
            else
            {
                int comma = line.IndexOf(',', i);
                if (comma < 0 || comma >= end) { _ranges.Add((i, end - i)); break; }
                _ranges.Add((i, comma - i));
                i = comma + 1;
            }
        }
        return null;
    }
}
