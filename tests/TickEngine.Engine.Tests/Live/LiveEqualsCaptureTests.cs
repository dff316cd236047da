using TickEngine.Engine.Capture;
using TickEngine.Engine.Events;
using TickEngine.Simulator;
using TickEngine.Tests.Shared;
using Xunit;

namespace TickEngine.Engine.Tests.Live;

/// <summary>
/// Each stream venue recorded live through its simulator, playing its real capture, equals the same capture recorded
/// from the file, row for row: every trade and every level change of the instruments recorded live, in order, with
/// the same side, price, quantity, exchange time, ids and flags (Coinbase's level-change ids are its
/// <c>sequence_num</c>, which numbers each connection's messages: the simulator's connection carries its own
/// acknowledgements, so those ids are left out for Coinbase alone).
/// </summary>
public class LiveEqualsCaptureTests
{
    public static TheoryData<string> Venues => VenueCases.Names;

    private readonly record struct Row(EventKind Kind, string Symbol, byte Side, long Price, long Quantity, long ExchangeTime, long Id, long Id2, long Flags);

    private static List<Row> Rows(IEnumerable<MarketEvent> events, TickEngine.Engine.Ingest.InstrumentRegistry registry, string exchange, string[] symbols, bool ids) =>
        events.Where(e => e.Kind is EventKind.Trade or EventKind.BookDelta)
            .Select(e => (e, inst: registry[e.InstrumentId]))
            .Where(x => x.inst.Exchange == exchange && symbols.Contains(x.inst.Symbol))
            .Select(x => new Row(x.e.Kind, x.inst.Symbol, x.e.Side, x.e.Price, x.e.Quantity, x.e.ExchangeTime,
                ids || x.e.Kind == EventKind.Trade ? x.e.Id : 0, ids || x.e.Kind == EventKind.Trade ? x.e.Id2 : 0,
                // The history flag is judged by age against the receive time, which a capture played back (exchange
                // times from its day, no skew bound) cannot show: compared without it.
                x.e.Flags & ~(long)TickEngine.Storage.Format.RowFlags.History))
            .ToList();

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task LiveThroughTheSimulatorEqualsTheCaptureRowForRow(string venue)
    {
        var vc = VenueCases.Of(venue);
        var symbols = vc.LiveSymbols;
        using var fileDir = new TempDir();
        var (filePipeline, fileEvents) = TickEngine.Engine.Tests.Venues.VenueRecording.Record(fileDir, venue, a => new CaptureFileSource(vc.CapturePath, a).Run());
        var expected = Rows(fileEvents.Events, filePipeline.Registry, venue, symbols, ids: !vc.IdsPerConnection);

        using var liveDir = new TempDir();
        await using var dialect = await SimulatorVenues.Find(venue)!.StartAsync(vc.CapturePath, vc.LiveSpeed);
        var (recorder, liveEvents) = await DialectRecording.Record(liveDir, venue, dialect, symbols);
        var got = Rows(liveEvents, recorder.Pipeline.Registry, venue, symbols, ids: !vc.IdsPerConnection);

        Assert.True(expected.Count > 1_000, $"{expected.Count} rows from the file");
        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < expected.Count; i++) Assert.True(expected[i] == got[i], $"row {i}: file {expected[i]}, live {got[i]}");
    }
}
