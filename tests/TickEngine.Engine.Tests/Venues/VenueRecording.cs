using System.Text;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Numerics;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Venues;

/// <summary>A venue's adapter in a real record pipeline (segments in a temp root), with every published event kept for the test.</summary>
public static class VenueRecording
{
    public sealed class Collector : IValueEventHandler<MarketEvent>
    {
        public readonly List<MarketEvent> Events = new();
        public void OnEvent(ref MarketEvent data, long sequence, bool endOfBatch) => Events.Add(data);
    }

    public static (RecordPipeline Pipeline, Collector Events) Record(TempDir dir, string exchange, Action<IExchangeAdapter> feed, IReadOnlySet<Storage.Format.SchemaKind>? types = null)
    {
        var collector = new Collector();
        var options = RecordOptions.ForCapture(dir.File("root")) with { Exchange = exchange, ExtraHandlers = [collector] };
        if (types is not null) options = options with { Types = types };
        var pipeline = new RecordPipeline(options);
        pipeline.Start();
        feed(pipeline.Adapters[0]);
        pipeline.Stop();
        return (pipeline, collector);
    }

    /// <summary>The frames a cryptofeed capture received (its <c>recv</c> records holding JSON), with their connection, read independently of the product.</summary>
    public static IEnumerable<(string Conn, System.Text.Json.JsonElement Frame)> CaptureFrames(string fixture)
    {
        using var gz = new System.IO.Compression.GZipStream(File.OpenRead(RepoPaths.Fixture(fixture)), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gz, Encoding.UTF8);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            using var record = System.Text.Json.JsonDocument.Parse(line);
            var root = record.RootElement;
            if (root.GetProperty("t").GetString() != "recv") continue;
            string data = root.GetProperty("data").GetString()!;
            if (!data.StartsWith('{')) continue; // text control frames (OKX's pong)
            using var frame = System.Text.Json.JsonDocument.Parse(data);
            yield return (root.GetProperty("conn").GetString()!, frame.RootElement.Clone());
        }
    }

    /// <summary>Decimal text at scale 8, as the venues' instruments are registered.</summary>
    public static long Fixed(string text)
    {
        Assert.True(FixedDecimal.TryParse(Encoding.ASCII.GetBytes(text), 8, out long v, out _), text);
        return v;
    }
}
