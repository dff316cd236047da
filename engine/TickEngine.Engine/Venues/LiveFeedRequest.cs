using TickEngine.Engine.Ingest;
using TickEngine.Engine.Live;

namespace TickEngine.Engine.Venues;

/// <summary>What a venue's live feed is built from: the connection rules, what to record, the pipe its frames go into and the feed's number in it.</summary>
public sealed record LiveFeedRequest(LiveOptions Options, LiveRequest Request, FramePipe Pipe, byte Source);
