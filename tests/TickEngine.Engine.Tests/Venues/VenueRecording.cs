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

    public static (RecordPipeline Pipeline, Collector Events) Record(TempDir dir, string exchange, Action<IExchangeAdapter> feed)
    {
        var collector = new Collector();
        var pipeline = new RecordPipeline(RecordOptions.ForCapture(dir.File("root")) with { Exchange = exchange, ExtraHandlers = [collector] });
        pipeline.Start();
        feed(pipeline.Adapters[0]);
        pipeline.Stop();
        return (pipeline, collector);
    }

    /// <summary>Decimal text at scale 8, as the venues' instruments are registered.</summary>
    public static long Fixed(string text)
    {
        Assert.True(FixedDecimal.TryParse(Encoding.ASCII.GetBytes(text), 8, out long v, out _), text);
        return v;
    }
}
