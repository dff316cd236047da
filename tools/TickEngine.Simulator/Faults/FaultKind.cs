namespace TickEngine.Simulator.Faults;

/// <summary>Faults the simulator injects on demand (<c>POST /_sim/faults/{kind}</c> or <see cref="SimulatedExchange.Inject"/>).</summary>
public enum FaultKind
{
    /// <summary>Abort every WebSocket connection.</summary>
    Drop,
    /// <summary>Do not send the next depth diff (its update ids are lost to clients).</summary>
    SkipUpdateId,
    /// <summary>Send the next depth diff twice.</summary>
    Duplicate,
    /// <summary>Send the next two depth diffs in the wrong order.</summary>
    Reorder,
    /// <summary>Send a truncated, malformed frame.</summary>
    Malformed,
    /// <summary>Send nothing for a while (the stall's length in milliseconds).</summary>
    Stall,
    /// <summary>Send Binance's serverShutdown event, then close the connections.</summary>
    ServerShutdown,
    /// <summary>Answer the next REST requests with 429 Too Many Requests and a Retry-After.</summary>
    Rest429,
    /// <summary>Answer the next REST requests with 500.</summary>
    Rest500,
    /// <summary>Send one text frame of the value's size in bytes (17 MiB when none is given: past a 16 MiB limit).</summary>
    Oversize,
    /// <summary>Send a binary frame where Binance sends text.</summary>
    Binary,
}
