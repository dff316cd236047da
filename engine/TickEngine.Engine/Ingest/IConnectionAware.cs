namespace TickEngine.Engine.Ingest;

/// <summary>
/// An adapter that needs to know which connection a frame came on (Bybit serves spot, linear and inverse markets on
/// different URLs with the same symbols). The capture reader and the live feed call <see cref="OnConnection"/>
/// before each frame, REST body or session marker whose connection is known.
/// </summary>
public interface IConnectionAware
{
    /// <param name="connection">A small number per connection of the run (0, 1, ...), stable for its lifetime.</param>
    /// <param name="address">The URL the connection was opened to, when known.</param>
    void OnConnection(int connection, string? address);
}
