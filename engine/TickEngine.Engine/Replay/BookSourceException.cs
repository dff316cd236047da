using TickEngine.Storage.Format;
using TickEngine.Storage.Reading;

namespace TickEngine.Engine.Replay;

/// <summary>Why an instrument's book cannot be found in the data.</summary>
public sealed class BookSourceException(string message, bool ambiguous) : Exception(message)
{
    /// <summary>True when the symbol is recorded on several exchanges (a question for the user); false when there is no book (the data).</summary>
    public bool Ambiguous { get; } = ambiguous;
}
