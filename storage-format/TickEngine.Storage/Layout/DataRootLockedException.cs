namespace TickEngine.Storage.Layout;

/// <summary>A data root is held by another writer (<see cref="DataRootLock"/>).</summary>
public sealed class DataRootLockedException(string root, string message) : IOException(message)
{
    public string Root { get; } = root;
}
