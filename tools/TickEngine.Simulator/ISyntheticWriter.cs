using System.Text.Json;
using TickEngine.Engine.Book;
using TickEngine.Simulator.Market;
using TickEngine.Storage.Format;
using TickEngine.Storage.Numerics;

namespace TickEngine.Simulator;

/// <summary>Writes synthetic market events as one venue's frames: each (subscription key, text).</summary>
public interface ISyntheticWriter
{
    IEnumerable<(string Key, string Text)> Write(SyntheticEvent e);
}
