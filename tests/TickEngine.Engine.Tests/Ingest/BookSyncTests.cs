using System.Text;
using TickEngine.Engine.Events;
using TickEngine.Engine.Ingest;
using TickEngine.Engine.Venues.Binance;
using TickEngine.Engine.Ring;
using TickEngine.Storage.Format;
using Xunit;

namespace TickEngine.Engine.Tests.Ingest;

/// <summary>
/// The snapshot-before-the-first-diff race of a live connection: a REST snapshot that arrives before any diff is
/// held until a diff shows whether it can be used; one older than the stream's first diff is replaced by a fresh
/// one without publishing a book or storing a gap. On futures, the diff whose <c>pu</c> is the snapshot's id
/// follows it exactly.
/// </summary>
public class BookSyncTests
{
    private sealed class Requests : ISnapshotRequester
    {
        public int Count;
        public void Request(Instrument instrument) => Count++;
    }

    private sealed class Harness
    {
        private readonly ValueDisruptor<MarketEvent> _ring = new(1 << 12);
        private readonly EventPublisher _publisher;
        public readonly Requests Requests = new();
        public readonly BinanceAdapter Adapter;
        private long _read;

        /// <summary>When the frames are received: the time their E says (2023-11-14), as a live recorder would see them.</summary>
        private const long ReceiveNs = 1_700_000_000_000_000_000;

        public Harness(bool futures)
        {
            _publisher = new EventPublisher(_ring.Ring, _ring.Sequencer);
            Adapter = new BinanceAdapter(new InstrumentRegistry(), _publisher, futures, Requests);
        }

        public void Diff(long first, long last, long? prev = null, string bid = "100.0", string qty = "1.0")
        {
            string pu = prev is { } p ? $",\"pu\":{p}" : "";
            Adapter.OnFrame(Encoding.UTF8.GetBytes($"{{\"e\":\"depthUpdate\",\"E\":1700000000000,\"s\":\"BTCUSDT\",\"U\":{first},\"u\":{last}{pu},\"b\":[[\"{bid}\",\"{qty}\"]],\"a\":[[\"101.0\",\"1.0\"]]}}"), ReceiveNs);
        }

        public void Snapshot(long lastUpdateId) =>
            Adapter.OnRest(Encoding.UTF8.GetBytes($"{{\"lastUpdateId\":{lastUpdateId},\"bids\":[[\"99.0\",\"2.0\"]],\"asks\":[[\"102.0\",\"2.0\"]]}}"), ReceiveNs, "/api/v3/depth?symbol=BTCUSDT&limit=1000");

        /// <summary>Events published since the last call.</summary>
        public List<MarketEvent> Take()
        {
            var list = new List<MarketEvent>();
            for (; _read < _publisher.Published; _read++) list.Add(_ring.Ring[_read]);
            return list;
        }
    }

    [Fact]
    public void SpotSnapshotBeforeAnyDiffIsHeldThenReplacedWhenTheStreamStartsAfterIt()
    {
        var h = new Harness(futures: false);
        h.Snapshot(100);                          // served before this connection's stream began
        Assert.Empty(h.Take());                   // held: nothing published yet
        h.Diff(150, 152);                         // the stream starts after 101: the snapshot is too old
        Assert.Empty(h.Take());
        Assert.Equal(1, h.Adapter.Counters.SnapshotsStale);
        Assert.Equal(0, h.Adapter.Counters.Gaps);
        Assert.Equal(1, h.Requests.Count);
        h.Diff(153, 155);
        h.Snapshot(154);                          // fresh: 153 <= 155 and the diff [153, 155] brackets 155
        var events = h.Take();
        Assert.Contains(events, e => e.Kind == EventKind.Status && e.Side == (byte)StatusKind.Resync && e.Id == 154);
        Assert.Contains(events, e => e.Kind == EventKind.BookDelta && e.Id == 153 && e.Id2 == 155);
        Assert.True(h.Adapter.BookOf(0)!.IsSynced);
        Assert.Equal(155, h.Adapter.BookOf(0)!.Book.UpdateId);
        Assert.Equal(0, h.Adapter.Counters.Gaps);
        Assert.DoesNotContain(events, e => e.Kind == EventKind.Status && e.Side == (byte)StatusKind.SequenceGap);
    }

    [Fact]
    public void SpotSnapshotBeforeAnyDiffIsUsedWhenTheFirstDiffFollowsIt()
    {
        var h = new Harness(futures: false);
        h.Snapshot(100);
        h.Diff(95, 100);                          // already in the snapshot: dropped, still held
        Assert.Empty(h.Take());
        Assert.Equal(1, h.Adapter.Counters.DiffsStale);
        h.Diff(101, 103);                         // follows the snapshot: sync, then apply it
        var events = h.Take();
        Assert.Equal(2, events.Count(e => (e.Flags & (long)RowFlags.FromSnapshot) != 0));
        Assert.Contains(events, e => e.Kind == EventKind.BookDelta && e.Id == 101 && e.Id2 == 103);
        Assert.Equal(103, h.Adapter.BookOf(0)!.Book.UpdateId);
        Assert.Equal(0, h.Adapter.Counters.SnapshotsStale);
        Assert.Equal(0, h.Requests.Count);
    }

    [Fact]
    public void FuturesDiffWhosePreviousIdIsTheSnapshotFollowsIt()
    {
        var h = new Harness(futures: true);
        h.Snapshot(200);                          // the snapshot's id is the u of a diff this connection never saw
        h.Diff(201, 204, prev: 200);              // U > lastUpdateId, but pu == lastUpdateId: exactly the next diff
        Assert.True(h.Adapter.BookOf(0)!.IsSynced);
        Assert.Equal(204, h.Adapter.BookOf(0)!.Book.UpdateId);
        h.Diff(205, 207, prev: 204);
        Assert.Equal(207, h.Adapter.BookOf(0)!.Book.UpdateId);
        Assert.Equal(0, h.Adapter.Counters.SnapshotsStale);
        Assert.Equal(0, h.Adapter.Counters.Gaps);
    }

    [Fact]
    public void FuturesDiffThatSkipsPastTheSnapshotIsNotTakenForItsSuccessor()
    {
        var h = new Harness(futures: true);
        h.Snapshot(200);
        h.Diff(206, 209, prev: 205);              // neither brackets 200 nor follows it: the snapshot is too old
        Assert.False(h.Adapter.BookOf(0)!.IsSynced);
        Assert.Equal(1, h.Adapter.Counters.SnapshotsStale);
        Assert.Equal(0, h.Adapter.Counters.Gaps);
        Assert.Equal(1, h.Requests.Count);
        Assert.DoesNotContain(h.Take(), e => e.Kind == EventKind.BookDelta);
    }

    [Fact]
    public void SyncedBookStillStoresAGapWhenADiffIsMissing()
    {
        var h = new Harness(futures: false);
        h.Diff(101, 103);
        h.Snapshot(102);
        Assert.True(h.Adapter.BookOf(0)!.IsSynced);
        h.Take();
        h.Diff(105, 106);                         // 104 never came
        var events = h.Take();
        Assert.Contains(events, e => e.Kind == EventKind.Status && e.Side == (byte)StatusKind.SequenceGap && e.Id == 104 && e.Id2 == 105);
        Assert.Equal(1, h.Adapter.Counters.Gaps);
        Assert.False(h.Adapter.BookOf(0)!.IsSynced);
    }
}
