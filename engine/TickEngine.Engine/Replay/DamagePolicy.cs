using TickEngine.Storage.Format;

namespace TickEngine.Engine.Replay;

/// <summary>What a reader does when it meets a damaged segment.</summary>
public enum DamagePolicy
{
    /// <summary>Throw the <see cref="StorageFormatException"/> (export, the typed-rows API).</summary>
    Throw,
    /// <summary>Report it as an item of the stream, in time order, and go on with the other segments (replay).</summary>
    Report,
}
