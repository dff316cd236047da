namespace TickEngine.Simulator;

/// <summary>How a simulated exchange runs.</summary>
public sealed record SimulatorOptions
{
    /// <summary>Address to bind: loopback unless told otherwise.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Port; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Pace: 1 = as recorded, 10 = ten times faster, 0 = as fast as clients take frames.</summary>
    public double Speed { get; init; } = 1.0;

    /// <summary>Hold the market until the first client subscribes, so no frame is sent into the void.</summary>
    public bool WaitForSubscriber { get; init; } = true;

    /// <summary>After the first subscription, wait this long before the market starts (the rest of a subscription sent in several messages).</summary>
    public TimeSpan SubscriberGrace { get; init; }

    /// <summary>Frames a slow connection may have queued before the market waits for it (never dropped).</summary>
    public int SessionQueue { get; init; } = 65_536;

    /// <summary>
    /// Hold the market at a recorded REST snapshot until a client asks for a depth snapshot (at most
    /// <see cref="SnapshotHold"/>), so that the client receives the recorded snapshot where the recording did.
    /// </summary>
    public bool HoldAtRecordedSnapshot { get; init; } = true;

    public TimeSpan SnapshotHold { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest client message accepted on a WebSocket (SUBSCRIBE and the like).</summary>
    public int MaxClientMessageBytes { get; init; } = 16 * 1024;
}
