using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using TickEngine.Engine.Ingest;

namespace TickEngine.Engine.Live;

/// <summary>A connection that can say which streams it carries (for status lines).</summary>
public interface IStreamsConnection
{
    IReadOnlyList<string> Streams { get; }
}
