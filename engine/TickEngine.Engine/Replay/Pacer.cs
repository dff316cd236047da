using TickEngine.Engine.Live;
using TickEngine.Engine.Metrics;

namespace TickEngine.Engine.Replay;

/// <summary>
/// The one pacing of recorded time against the wall clock, used by replay and by the simulator (which plays
/// captures and recordings): an item stamped t is due at <c>start + (t - first) / speed</c>, where first is the
/// first item's stamp and start the wall time it went out. Speed 0 means as fast as possible (never waits). How
/// late each item went out against its due time is kept in <see cref="Lateness"/>. One thread.
/// </summary>
public sealed class Pacer
{
    /// <summary>The slowest pace accepted: 1/1000 of real time.</summary>
    public const double MinSpeed = 0.001;
    public const double MaxSpeed = 1_000_000;

    private long _firstStamp;
    private long _startNs;
    private bool _started;

    /// <param name="speed">Times real time (1 = as recorded, 10 = ten times faster); 0 = as fast as possible.</param>
    public Pacer(double speed)
    {
        if (speed != 0 && !(speed >= MinSpeed && speed <= MaxSpeed))
            throw new ArgumentOutOfRangeException(nameof(speed), $"speed must be 0 (as fast as possible) or from {MinSpeed} to {MaxSpeed}, got {speed}");
        Speed = speed;
    }

    public double Speed { get; }

    /// <summary>How late each paced item went out against its due time, in ns (empty at speed 0).</summary>
    public HdrHistogram Lateness { get; } = new(1, 3_600_000_000_000, 3);

    /// <summary>The wall time (<see cref="Clock.NowNs"/>) an item stamped <paramref name="stamp"/> is due; the first item starts the clock.</summary>
    public long Due(long stamp)
    {
        if (!_started)
        {
            _started = true;
            _firstStamp = stamp;
            _startNs = Clock.NowNs();
        }
        if (Speed == 0) return _startNs;
        double offset = (stamp - (double)_firstStamp) / Speed;
        return offset >= long.MaxValue / 2.0 ? long.MaxValue / 2 : _startNs + (long)Math.Max(0, offset);
    }

    /// <summary>
    /// Blocks until the item stamped <paramref name="stamp"/> is due (sleeping, then spinning the last
    /// millisecond); <paramref name="beforeWait"/> runs first when there is a wait (publish what is pending).
    /// Returns false when <paramref name="cancel"/> ended the wait.
    /// </summary>
    public bool Wait(long stamp, Action? beforeWait = null, CancellationToken cancel = default)
    {
        long due = Due(stamp);
        if (Speed == 0) return true;
        long now = Clock.NowNs();
        if (due > now)
        {
            beforeWait?.Invoke();
            while (due - now > 2_000_000)
            {
                if (cancel.WaitHandle.WaitOne(TimeSpan.FromTicks(Math.Min((due - now - 1_000_000) / 100, TimeSpan.TicksPerSecond)))) return false;
                now = Clock.NowNs();
            }
            var spin = new SpinWait();
            while ((now = Clock.NowNs()) < due) spin.SpinOnce(-1);
        }
        Lateness.RecordValue(Math.Max(0, now - due));
        return true;
    }

    /// <summary>The asynchronous wait (for servers): resolves when the item stamped <paramref name="stamp"/> is due (to about a millisecond).</summary>
    public async ValueTask WaitAsync(long stamp, CancellationToken cancel)
    {
        long due = Due(stamp);
        if (Speed == 0) return;
        long now = Clock.NowNs();
        if (due - now > 1_000_000) await Task.Delay(TimeSpan.FromTicks((due - now) / 100), cancel);
        Lateness.RecordValue(Math.Max(0, Clock.NowNs() - due));
    }
}
