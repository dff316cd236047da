namespace TickEngine.Engine.Capture;

/// <summary>Layouts of raw capture files (described in the README, "Capture files").</summary>
public enum CaptureFormat
{
    /// <summary>One frame a line: <c>&lt;receive ns&gt; &lt;frame&gt;</c>; REST depth snapshots on their own lines (hftbacktest).</summary>
    TimestampedLines,
    /// <summary>JSON lines with <c>"t":"recv"|"http"|"connect"|...</c> records whose <c>data</c> holds the frame as a string (cryptofeed).</summary>
    JsonRecords,
}
