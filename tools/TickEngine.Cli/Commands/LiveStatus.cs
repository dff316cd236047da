using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using TickEngine.Engine.Pipeline;

namespace TickEngine.Cli.Commands;

/// <summary>The live status of a recording: rates since the last look, ring occupancy, gaps, resyncs, reconnects, bytes, memory, the frame queue, connection states, sinks' lag.</summary>
internal sealed class LiveStatus(LiveRecorder recorder)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _frames, _events;
    private double _t;

    private (double T, double Msgs, double Events, double Ring, long Gaps, long Resyncs, long Reconnects, double Mb, string States) Sample()
    {
        var all = recorder.Pipeline.Adapters.Select(a => a.Counters).ToList();
        var c = (Frames: all.Sum(x => x.Frames), Gaps: all.Sum(x => x.Gaps), Resyncs: all.Sum(x => x.Resyncs));
        double t = _clock.Elapsed.TotalSeconds, dt = Math.Max(t - _t, 1e-3);
        long events = recorder.Pipeline.Publisher.Published;
        var ring = recorder.Pipeline.Disruptor;
        double mb = recorder.Pipeline.Outputs.Sum(o => o.Bytes) / 1e6;
        var sample = (t, (c.Frames - _frames) / dt, (events - _events) / dt, ring.Backlog / (double)ring.Ring.Size, c.Gaps, c.Resyncs, recorder.Reconnects, mb,
            string.Join(",", recorder.Feeds.SelectMany(f => f.Connections).Select(x => x.State)));
        _frames = c.Frames;
        _events = events;
        _t = t;
        return sample;
    }

    public string Line()
    {
        var s = Sample();
        return string.Format(CultureInfo.InvariantCulture,
            "{0,6:F0}s  msgs/s {1,8:N0}  events/s {2,9:N0}  ring {3,5:P0}  gaps {4}  resyncs {5}  reconnects {6}  written {7:N1} MB  {8}",
            s.T, s.Msgs, s.Events, s.Ring, s.Gaps, s.Resyncs, s.Reconnects, s.Mb, s.States) + "  " + Memory() + "  committed " + Committed() + SinkLags();
    }

    /// <summary>
    /// The process's memory (resident, and the managed heap) and what waits in front of the producer: the frame
    /// pipe's bytes not yet parsed (<c>mem 212 MB (heap 41 MB)  queued 0 KB</c>).
    /// </summary>
    public string Memory()
    {
        using var self = System.Diagnostics.Process.GetCurrentProcess();
        return FormattableString.Invariant($"mem {self.WorkingSet64 / 1048576.0:N0} MB (heap {GC.GetTotalMemory(false) / 1048576.0:N0} MB)  queued {recorder.Pipe.Pending / 1024.0:N0} KB");
    }

    /// <summary>Each sink's state and lag (<c>  sink parquet live lag 1,204 rows 0.8s</c>), empty without sinks.</summary>
    public string SinkLags() => string.Concat(recorder.Pipeline.Runners.Select(r =>
        FormattableString.Invariant($"  sink {r.Sink.Name} {Engine.Sinks.SinkArguments.StateName(r.State)} lag {r.Statistics.LagRows:N0} rows {r.Statistics.LagSeconds:F1}s") +
        (r.Statistics.RowsDropped > 0 ? FormattableString.Invariant($" dropped {r.Statistics.RowsDropped:N0}") : "") +
        (r.Statistics.Failures > 0 ? FormattableString.Invariant($" failures {r.Statistics.Failures}") : "")));

    /// <summary>Rows committed so far per schema (<c>trades=N deltas=N ...</c>): on disk, they survive a killed process.</summary>
    public string Committed() => string.Join(" ", recorder.Pipeline.Outputs
        .Select(o => string.Create(CultureInfo.InvariantCulture, $"{TickEngine.Storage.Format.SegmentSchema.NameOf(o.Kind)}={o.CommittedRows}")));

    public Table Table()
    {
        var s = Sample();
        var inv = CultureInfo.InvariantCulture;
        var table = new Table().Title("tickengine record").HideHeaders().AddColumn("").AddColumn(new TableColumn("").RightAligned());
        table.AddRow("elapsed", s.T.ToString("F0", inv) + " s");
        table.AddRow("messages/s", s.Msgs.ToString("N0", inv));
        table.AddRow("events/s", s.Events.ToString("N0", inv));
        table.AddRow("ring occupancy", s.Ring.ToString("P0", inv));
        table.AddRow("gaps / resyncs", $"{s.Gaps} / {s.Resyncs}");
        table.AddRow("reconnects", s.Reconnects.ToString(inv));
        table.AddRow("written", s.Mb.ToString("N1", inv) + " MB");
        table.AddRow("memory, queue", Markup.Escape(Memory()));
        foreach (var r in recorder.Pipeline.Runners)
            table.AddRow(Markup.Escape("sink " + r.Sink.Target), Markup.Escape(
                FormattableString.Invariant($"{Engine.Sinks.SinkArguments.StateName(r.State)}, lag {r.Statistics.LagRows:N0} rows, {r.Statistics.LagSeconds:F1} s") +
                (r.Statistics.RowsDropped > 0 ? FormattableString.Invariant($", {r.Statistics.RowsDropped:N0} dropped") : "")));
        foreach (var conn in recorder.Feeds.SelectMany(f => f.Connections))
            table.AddRow(Markup.Escape(conn.Uri.Host + conn.Uri.AbsolutePath + (conn is Engine.Live.IStreamsConnection { Streams.Count: > 0 } b ? " (" + b.Streams.Count + " streams)" : "")), conn.State.ToString());
        return table;
    }
}
