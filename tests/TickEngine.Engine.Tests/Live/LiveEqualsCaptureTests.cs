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
[Trait("Category", "Loopback")]
public class LiveEqualsCaptureTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string> Venues => VenueCases.Names;

    private readonly record struct Row(EventKind Kind, string Symbol, byte Side, ushort Reserved, long Price, long Quantity, long ExchangeTime, long Id, long Id2, long Flags);

    /// <summary>Every schema, quotes and funding with them.</summary>
    private static readonly HashSet<TickEngine.Storage.Format.SchemaKind> Everything =
        [TickEngine.Storage.Format.SchemaKind.Trades, TickEngine.Storage.Format.SchemaKind.Deltas, TickEngine.Storage.Format.SchemaKind.L2,
         TickEngine.Storage.Format.SchemaKind.Bars, TickEngine.Storage.Format.SchemaKind.Quotes, TickEngine.Storage.Format.SchemaKind.Funding];

    private static List<Row> Rows(IEnumerable<MarketEvent> events, TickEngine.Engine.Ingest.InstrumentRegistry registry, string exchange, string[] symbols, bool ids) =>
        events.Where(e => e.Kind is EventKind.Trade or EventKind.BookDelta or EventKind.BookTicker or EventKind.Funding)
            .Select(e => (e, inst: registry[e.InstrumentId]))
            .Where(x => x.inst.Exchange == exchange && symbols.Contains(x.inst.Symbol))
            .Select(x => new Row(x.e.Kind, x.inst.Symbol, x.e.Side, x.e.Reserved, x.e.Price, x.e.Quantity, x.e.ExchangeTime,
                // Ids numbering a connection's messages (Coinbase's sequence_num on level changes and quotes) are the
                // simulator's own connection's; a quote's ask price is in Id2 and always compared.
                ids || x.e.Kind is EventKind.Trade or EventKind.Funding ? x.e.Id : 0, ids || x.e.Kind != EventKind.BookDelta ? x.e.Id2 : 0,
                // The history flag is judged by age against the receive time, which a capture played back (exchange
                // times from its day, no skew bound) cannot show: compared without it (on trades and level changes,
                // whose Flags are flags; a quote keeps its ask size there).
                x.e.Kind is EventKind.Trade or EventKind.BookDelta ? x.e.Flags & ~(long)TickEngine.Storage.Format.RowFlags.History : x.e.Flags))
            .ToList();

    [Theory]
    [MemberData(nameof(Venues))]
    public async Task LiveThroughTheSimulatorEqualsTheCaptureRowForRow(string venue)
    {
        var vc = VenueCases.Of(venue);
        var symbols = vc.LiveSymbols;
        using var fileDir = new TempDir();
        var (filePipeline, fileEvents) = TickEngine.Engine.Tests.Venues.VenueRecording.Record(fileDir, venue, a => new CaptureFileSource(vc.CapturePath, a).Run(), Everything);
        var expected = Rows(fileEvents.Events, filePipeline.Registry, venue, symbols, ids: !vc.IdsPerConnection);

        using var liveDir = new TempDir();
        await using var dialect = await SimulatorVenues.Find(venue)!.StartAsync(vc.CapturePath, vc.LiveSpeed);
        var (recorder, liveEvents) = await DialectRecording.Record(liveDir, venue, dialect, symbols, Everything);
        var got = Rows(liveEvents, recorder.Pipeline.Registry, venue, symbols, ids: !vc.IdsPerConnection);

        Assert.True(expected.Count > 1_000, $"{expected.Count} rows from the file");
        foreach (var kind in new[] { EventKind.BookTicker, EventKind.Funding })
            if (expected.Count(r => r.Kind == kind) is var n and > 0) output.WriteLine($"{venue}: {n} {kind} rows from the file");
        Assert.True(expected.Any(r => r.Kind == EventKind.BookTicker), $"{venue}: the capture's quotes were not recorded from the file");
        if (vc.FundingInCapture) Assert.True(expected.Any(r => r.Kind == EventKind.Funding), $"{venue}: the capture's funding was not recorded from the file");
        Assert.Equal(expected.Count, got.Count);
        for (int i = 0; i < expected.Count; i++) Assert.True(expected[i] == got[i], $"row {i}: file {expected[i]}, live {got[i]}");
    }
}
