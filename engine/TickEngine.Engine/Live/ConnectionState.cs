namespace TickEngine.Engine.Live;

/// <summary>A live connection's state, as the status display shows it.</summary>
public enum ConnectionState
{
    Disconnected,
    Connecting,
    Connected,
    Reconnecting,
    Failed,
}
