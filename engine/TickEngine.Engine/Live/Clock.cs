using System.Diagnostics;

namespace TickEngine.Engine.Live;

/// <summary>
/// Receive times: UTC nanoseconds from one wall-clock reading at start plus a monotonic high-resolution offset, so
/// they never go backwards and keep sub-microsecond resolution.
/// </summary>
public static class Clock
{
    private static readonly long BaseNs = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;
    private static readonly long BaseTimestamp = Stopwatch.GetTimestamp();
    private static readonly double NsPerTick = 1e9 / Stopwatch.Frequency;

    public static long NowNs() => BaseNs + (long)((Stopwatch.GetTimestamp() - BaseTimestamp) * NsPerTick);
}
