namespace TickEngine.Simulator.Dialects;

/// <summary>Frames the dialects' faults send, in no venue's words.</summary>
internal static class DialectFrames
{
    /// <summary>A frame of <paramref name="head"/> then 'x' up to <paramref name="size"/> bytes, closed as a JSON string and object.</summary>
    public static byte[] Padded(string head, int size)
    {
        var h = System.Text.Encoding.UTF8.GetBytes(head);
        var frame = new byte[Math.Max(size, h.Length + 2)];
        h.CopyTo(frame, 0);
        frame.AsSpan(h.Length, frame.Length - h.Length - 2).Fill((byte)'x');
        frame[^2] = (byte)'"';
        frame[^1] = (byte)'}';
        return frame;
    }
}
