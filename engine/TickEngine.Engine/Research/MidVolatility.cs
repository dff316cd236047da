namespace TickEngine.Engine.Research;

/// <summary>
/// The mid's volatility in bp per √second: an exponentially weighted mean of r² / Δt over the mid's returns between
/// updates (r in bp, Δt in seconds), with a half-life in seconds. Updates at the same instant keep the first mid of
/// that instant as the next return's base. A value type with no allocation.
/// </summary>
public struct MidVolatility(double halfLifeSeconds)
{
    private double _variance, _lastMid;
    private long _lastNs = long.MinValue;

    /// <summary>σ in bp per √s (0 until two updates at different instants).</summary>
    public readonly double Bps => Math.Sqrt(_variance);

    public void Update(long nowNs, double mid)
    {
        if (_lastNs != long.MinValue && nowNs > _lastNs && _lastMid > 0)
        {
            double dt = (nowNs - _lastNs) / 1e9, r = (mid / _lastMid - 1) * 10_000;
            _variance += (1 - Math.Exp(-dt * Math.Log(2) / halfLifeSeconds)) * (r * r / dt - _variance);
        }
        if (nowNs != _lastNs) { _lastNs = nowNs; _lastMid = mid; }
    }
}
