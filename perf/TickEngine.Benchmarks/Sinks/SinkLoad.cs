using TickEngine.Benchmarks.Inputs;
using TickEngine.Engine.Capture;
using TickEngine.Engine.Pipeline;
using TickEngine.Engine.Sinks;

namespace TickEngine.Benchmarks.Sinks;

/// <summary>What the database harnesses share: the real spot capture recorded once, and a sink backfilled from it.</summary>
internal static class SinkLoad
{
    /// <summary>Records the real spot capture into <paramref name="root"/>; returns the rows committed over every schema.</summary>
    public static long RecordCapture(string root)
    {
        var p = new RecordPipeline(RecordOptions.ForCapture(root));
        var src = new CaptureFileSource(FixtureTrades.BinanceSpotCapture, p.Adapter);
        p.Start();
        src.Run();
        p.Stop();
        return p.Statistics().Outputs.Sum(o => o.RowsCommitted);
    }

    /// <summary>
    /// Attaches <paramref name="sink"/> to <paramref name="root"/> with <c>from=start</c> in a run that records nothing, so
    /// every row comes back from the segments; returns the seconds until it holds all <paramref name="rows"/>.
    /// </summary>
    public static double Backfill(string root, ISink sink, long rows)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var p = new RecordPipeline(RecordOptions.ForCapture(root) with { Sinks = [new SinkRegistration(sink, new SinkOptions { Start = SinkStart.Beginning })] });
        p.Start();
        p.Stop();
        double seconds = sw.Elapsed.TotalSeconds;
        var st = p.Statistics().Sinks[0];
        if (st.State != SinkState.Done || st.RowsDurable != rows) throw new InvalidOperationException($"{sink.Name}: {st.State}, {st.RowsDurable} of {rows} rows durable ({st.LastError})");
        return seconds;
    }
}
