using TickEngine.Storage.Format;

namespace TickEngine.Engine.Replay;

/// <summary>Which time orders a replay.</summary>
public enum ReplayClock
{
    /// <summary>The exchange's time (column 0).</summary>
    Exchange,
    /// <summary>Our receive time (column 1): the order events arrived in.</summary>
    Receive,
}
