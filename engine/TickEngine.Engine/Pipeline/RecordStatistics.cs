using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TickEngine.Engine.Ingest;
using TickEngine.Storage.Format;

namespace TickEngine.Engine.Pipeline;

/// <summary>
/// A recording's counters, typed: what the producer saw (<see cref="Ingest"/>), what each schema committed, what
/// each secondary sink took and how often it failed, and what the handlers derived. <see cref="ToJson"/> gives
/// the summary JSON (flat snake_case keys: <c>frames</c>, <c>gaps</c>, <c>rows_trades</c>, ...); the callers that
/// know more (a capture's lines, a live feed's reconnects) fill the optional members.
/// </summary>
public sealed class RecordStatistics
{
    public required string Exchange { get; init; }
    public required IngestCounters Ingest { get; init; }
    public long EventsPublished { get; init; }
    public long ProducerWaitNs { get; init; }
    public long ProducerWaits { get; init; }
    public double ElapsedSeconds { get; init; }
    public required IReadOnlyList<OutputStatistics> Outputs { get; init; }
    public long? L2Samples { get; init; }
    public long? L2SkippedBoundaries { get; init; }
    public long? BarsFlat { get; init; }
    public long? LateTrades { get; init; }
    public required IReadOnlyList<string> Instruments { get; init; }

    /// <summary>Each sink's counts and lag (see <see cref="Sinks.SinkStatistics"/>).</summary>
    public IReadOnlyList<Sinks.SinkStatistics> Sinks { get; init; } = [];

    // Filled by the caller that knows them.
    public long? CaptureLines { get; set; }
    public string? CaptureFormat { get; set; }
    public long? Reconnects { get; set; }
    public long? RestErrors { get; set; }
    public long? OversizeFrames { get; set; }
    public long? BinaryFrames { get; set; }
    public IReadOnlyList<string>? Connections { get; set; }
    public IReadOnlyList<string> HandlerFaults { get; set; } = [];

    public double FramesPerSecond => Ingest.Frames / Math.Max(ElapsedSeconds, 1e-9);

    /// <summary>Rows committed of a schema (0 when it was not written).</summary>
    public long Rows(SchemaKind kind) => Outputs.FirstOrDefault(o => o.Schema == kind)?.RowsCommitted ?? 0;

    /// <summary>Sink failures over every sink.</summary>
    public long SinkFailures => Sinks.Sum(s => s.Failures);

    private static readonly JsonSerializerOptions Snake = new() { IncludeFields = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    /// <summary>The summary as a JSON object, every counter under its snake_case name.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject { ["exchange"] = Exchange };
        var ingest = JsonSerializer.SerializeToNode(Ingest, Snake)!.AsObject();
        foreach (var (k, v) in ingest.ToList())
        {
            if (k is "malformed_samples" or "malformed_by_reason") continue;
            ingest.Remove(k);
            o[k] = v;
        }
        o["events_published"] = EventsPublished;
        o["producer_wait_ns"] = ProducerWaitNs;
        o["producer_waits"] = ProducerWaits;
        o["elapsed_s"] = Math.Round(ElapsedSeconds, 3);
        o["frames_per_s"] = Math.Round(FramesPerSecond, 0);
        foreach (var out_ in Outputs)
        {
            string name = SegmentSchema.NameOf(out_.Schema);
            o[$"rows_{name}"] = out_.RowsCommitted;
            o[$"bytes_{name}"] = out_.Bytes;
        }
        if (L2Samples is { } l2) o["l2_samples"] = l2;
        if (L2SkippedBoundaries is { } l2s) o["l2_skipped_boundaries"] = l2s;
        if (BarsFlat is { } bf) o["bars_flat"] = bf;
        if (LateTrades is { } lt) o["late_trades"] = lt;
        if (CaptureLines is { } cl) o["capture_lines"] = cl;
        if (CaptureFormat is { } cf) o["capture_format"] = cf;
        if (Reconnects is { } rc) o["reconnects"] = rc;
        if (RestErrors is { } re) o["rest_errors"] = re;
        if (OversizeFrames is { } of) o["oversize_frames"] = of;
        if (BinaryFrames is { } bfr) o["binary_frames"] = bfr;
        o["sinks"] = new JsonArray(Sinks.Select(s => (JsonNode)SinkJson(s)).ToArray());
        o["malformed_by_reason"] = new JsonArray(Ingest.MalformedByReason.Select(kv => (JsonNode)JsonValue.Create($"{kv.Key}: {kv.Value}")!).ToArray());
        o["malformed_samples"] = new JsonArray(Ingest.MalformedSamples.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
        o["instruments"] = new JsonArray(Instruments.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
        if (Connections is { } conns) o["connections"] = new JsonArray(conns.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
        o["handler_faults"] = new JsonArray(HandlerFaults.Select(s => (JsonNode)JsonValue.Create(s)!).ToArray());
        return o;
    }

    /// <summary>One sink's counts: what it was offered, given, made durable, caught up from the segments, deferred, dropped; its lag and failures.</summary>
    public static JsonObject SinkJson(Sinks.SinkStatistics s)
    {
        var (lagRows, lagSeconds) = (s.LagRows, s.LagSeconds);
        return new JsonObject
        {
            ["name"] = s.Name,
            ["target"] = s.Target,
            ["policy"] = TickEngine.Engine.Sinks.SinkArguments.PolicyName(s.Policy),
            ["state"] = TickEngine.Engine.Sinks.SinkArguments.StateName(s.State),
            ["rows_offered"] = s.RowsOffered,
            ["rows_given"] = s.RowsGiven,
            ["rows_durable"] = s.RowsDurable,
            ["rows_caught_up"] = s.RowsCaughtUp,
            ["rows_deferred"] = s.RowsDeferred,
            ["rows_dropped"] = s.RowsDropped,
            ["rows_unreadable"] = s.RowsUnreadable,
            ["lag_rows"] = lagRows,
            ["lag_s"] = Math.Round(lagSeconds, 3),
            ["queue_peak_rows"] = s.QueuePeakRows,
            ["handler_wait_s"] = Math.Round(s.HandlerWaitSeconds, 3),
            ["failures"] = s.Failures,
            ["last_error"] = s.LastError,
        };
    }

    public string ToJsonText() => ToJson().ToJsonString(Snake);

    /// <summary>The summary for people: one counter a line, lists indented under their name (empty lists left out).</summary>
    public void Print(TextWriter o, string title)
    {
        var inv = CultureInfo.InvariantCulture;
        o.WriteLine(title);
        foreach (var (k, v) in ToJson())
        {
            if (v is JsonArray a)
            {
                if (a.Count == 0) continue;
                o.WriteLine($"  {k}:");
                foreach (var item in a) o.WriteLine($"    {(item is JsonObject obj ? string.Join(", ", obj.Select(p => $"{p.Key} {p.Value}")) : item?.ToString())}");
                continue;
            }
            string text = v is JsonValue jv && jv.TryGetValue(out long n) ? n.ToString("N0", inv) : v?.ToString() ?? "";
            o.WriteLine(string.Format(inv, "  {0,-24} {1}", k, text));
        }
    }
}
