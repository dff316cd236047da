using System.IO.Compression;
using TickEngine.Tests.Shared;

namespace TickEngine.Engine.Tests;

/// <summary>The real Binance spot capture as (receive ns, frame) lines.</summary>
public static class CaptureLines
{
    private static List<(long Ns, string Frame)>? _cache;

    public static List<(long Ns, string Frame)> BinanceSpot()
    {
        if (_cache is not null) return _cache;
        var lines = new List<(long, string)>();
        using var gz = new GZipStream(File.OpenRead(RepoPaths.BinanceSpotCapture), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int sp = line.IndexOf(' ');
            lines.Add((long.Parse(line.AsSpan(0, sp)), line[(sp + 1)..]));
        }
        return _cache = lines;
    }

    public static void Write(string path, IEnumerable<(long Ns, string Frame)> lines) =>
        File.WriteAllLines(path, lines.Select(l => $"{l.Ns} {l.Frame}"));
}
