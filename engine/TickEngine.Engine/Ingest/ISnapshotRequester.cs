namespace TickEngine.Engine.Ingest;

/// <summary>Asked for a fresh REST depth snapshot when a book must resync (live feeds fetch one; a capture file cannot).</summary>
public interface ISnapshotRequester
{
    void Request(Instrument instrument);
}
