using System.IO.Compression;
using System.Text;
using TickEngine.Simulator.Market;

namespace TickEngine.Simulator;

/// <summary>
/// Writes what a simulated exchange plays as a capture file in the timestamped-lines layout (gzip): one
/// <c>&lt;receive ns&gt; &lt;combined frame&gt;</c> line per frame and the recorded REST snapshot on its own line where the
/// market reached it. A looped real capture becomes a capture of any length whose ids and times continue (a
/// day-sized capture for throughput runs). No sockets: the market runs as fast as the file takes it.
/// </summary>
public static class CaptureWriter
{
    /// <summary>Writes up to <paramref name="maxFrames"/> frames of <paramref name="source"/> to <paramref name="path"/>; returns the frames written.</summary>
    public static async Task<long> WriteAsync(IMarketSource source, string path, long maxFrames, CancellationToken cancel = default)
    {
        var options = new SimulatorOptions { Speed = 0, WaitForSubscriber = false, HoldAtRecordedSnapshot = false };
        var exchange = new SimulatedExchange(source, options);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        await using var gzip = new GZipStream(file, CompressionLevel.Optimal);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        long frames = 0;
        var digits = new byte[24];
        void Line(long ns, byte[] payload)
        {
            ns.TryFormat(digits, out int n, provider: System.Globalization.CultureInfo.InvariantCulture);
            gzip.Write(digits, 0, n);
            gzip.WriteByte((byte)' ');
            gzip.Write(payload);
            gzip.WriteByte((byte)'\n');
        }
        exchange.SnapshotLoaded = snap => Line(snap.TimeNs, snap.Body);
        exchange.Sent = (frame, _) =>
        {
            if (frames >= maxFrames) { stop.Cancel(); return; }
            Line(frame.TimeNs, frame.Combined);
            frames++;
        };
        await exchange.RunAsync(stop.Token);
        return frames;
    }
}
