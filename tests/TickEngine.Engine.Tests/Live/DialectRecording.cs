using TickEngine.Engine.Events;
using TickEngine.Engine.Live;
using TickEngine.Engine.Pipeline;
using TickEngine.Simulator.Dialects;
using TickEngine.Tests.Shared;

namespace TickEngine.Engine.Tests.Live;

/// <summary>A live recording of one venue through its simulator dialect until the dialect has played its capture, every published event kept.</summary>
public static class DialectRecording
{
    public static async Task<(LiveRecorder Recorder, List<MarketEvent> Events)> Record(TempDir dir, string venue, DialectExchange dialect, IReadOnlyList<string> symbols,
        IReadOnlySet<Storage.Format.SchemaKind>? types = null)
    {
        var collector = new TickEngine.Engine.Tests.Venues.VenueRecording.Collector();
        // The dialect plays the capture's own (past) exchange times: no clock-skew bound.
        var options = new RecordOptions { Root = dir.Path, ExtraHandlers = [collector], Rules = TickEngine.Engine.Ingest.FrameRules.NoSkewBound };
        if (types is not null) options = options with { Types = types };
        var recorder = new LiveRecorder(options, [(venue, LiveOptions.Default with { VenueBase = dialect.WebSocketBase }, symbols)]);
        recorder.Start();
        await dialect.Played.WaitAsync(TimeSpan.FromSeconds(60));
        await Task.Delay(500);
        await recorder.StopAsync();
        return (recorder, collector.Events);
    }

    /// <summary>After the first marker of <paramref name="trouble"/>: the same book's resync marker, then level changes applied again.</summary>
    public static void AssertResyncedAfter(List<MarketEvent> events, Storage.Format.StatusKind trouble, int? instrument = null)
    {
        int at = events.FindIndex(e => e.Kind == EventKind.Status && e.Side == (byte)trouble && (instrument is null || e.InstrumentId == instrument));
        Xunit.Assert.True(at >= 0, $"no {trouble} marker");
        int id = events[at].InstrumentId;
        int resync = events.FindIndex(at, e => e.Kind == EventKind.Status && e.Side == (byte)Storage.Format.StatusKind.Resync && e.InstrumentId == id);
        Xunit.Assert.True(resync > at, $"no resync after the {trouble}");
        Xunit.Assert.Contains(events.Skip(resync), e => e.Kind == EventKind.BookDelta && e.InstrumentId == id && (e.Flags & (long)Storage.Format.RowFlags.FromSnapshot) == 0);
    }
}
