using System.Text.Json;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Venues;

/// <summary>One level change read from a frame, held until the frame has read whole; <see cref="Time"/> its own exchange time, or 0 for the message's.</summary>
public struct BookLevel
{
    public byte Side;
    public long Price, Quantity, Time;
}
