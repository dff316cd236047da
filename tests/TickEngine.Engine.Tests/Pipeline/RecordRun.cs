using TickEngine.Engine.Capture;
using TickEngine.Engine.Pipeline;

namespace TickEngine.Engine.Tests.Pipeline;

/// <summary>Runs a capture file through the record pipeline in-process.</summary>
public static class RecordRun
{
    public static (RecordPipeline Pipeline, RecordStatistics Summary) Run(string capture, string root, RecordOptions? options = null)
    {
        options ??= RecordOptions.ForCapture(root);
        var pipeline = new RecordPipeline(options with { Root = root });
        var source = new CaptureFileSource(capture, pipeline.Adapter);
        pipeline.Start();
        try { source.Run(); }
        finally { pipeline.Stop(); }
        Assert(pipeline);
        return (pipeline, pipeline.Statistics());
    }

    private static void Assert(RecordPipeline p)
    {
        var faults = p.Faults.ToList();
        if (faults.Count > 0) throw new InvalidOperationException($"handler failed: {faults[0].Handler}: {faults[0].Fault}");
    }
}
