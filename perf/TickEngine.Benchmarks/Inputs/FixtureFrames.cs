using System.IO.Compression;
using System.Text;

namespace TickEngine.Benchmarks.Inputs;

/// <summary>The real Binance capture's frames, by kind, as UTF-8 bytes with their receive times.</summary>
public static class FixtureFrames
{
    public sealed record Frame(long ReceiveNs, byte[] Bytes, bool IsRest);

    public static List<Frame> All()
    {
        var list = new List<Frame>();
        using var gz = new GZipStream(File.OpenRead(FixtureTrades.BinanceSpotCapture), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            int sp = line.IndexOf(' ');
            string frame = line[(sp + 1)..];
            list.Add(new Frame(long.Parse(line.AsSpan(0, sp)), Encoding.UTF8.GetBytes(frame), frame.StartsWith("{\"lastUpdateId\"", StringComparison.Ordinal)));
        }
        return list;
    }

    public static List<Frame> Trades() => All().Where(f => Encoding.UTF8.GetString(f.Bytes, 0, Math.Min(40, f.Bytes.Length)).Contains("@trade")).ToList();

    public static List<Frame> Depth() => All().Where(f => Encoding.UTF8.GetString(f.Bytes, 0, Math.Min(40, f.Bytes.Length)).Contains("@depth")).ToList();
}
