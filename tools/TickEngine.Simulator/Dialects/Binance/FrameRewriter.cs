using System.Buffers.Text;
using System.Text;
using System.Text.Json;

using TickEngine.Simulator.Market;

namespace TickEngine.Simulator.Dialects.Binance;

/// <summary>
/// Rewrites a Binance frame's numeric fields by name (update ids, trade ids, times) without touching anything
/// else, so a looped capture keeps its ids and times consistent.
/// </summary>
public static class FrameRewriter
{
    /// <summary>Returns the frame with <paramref name="map"/> applied to each number whose property name it knows.</summary>
    public static byte[] Rewrite(byte[] frame, Func<string, long, long?> map)
    {
        var edits = new List<(int Start, int End, long Value)>();
        var r = new Utf8JsonReader(frame);
        string? name = null;
        while (r.Read())
        {
            if (r.TokenType == JsonTokenType.PropertyName) { name = r.GetString(); continue; }
            if (r.TokenType == JsonTokenType.Number && name is not null && r.TryGetInt64(out long v))
            {
                long? nv = map(name, v);
                if (nv is { } n && n != v) edits.Add(((int)r.TokenStartIndex, (int)r.BytesConsumed, n));
            }
            name = null;
        }
        if (edits.Count == 0) return frame;
        var output = new List<byte>(frame.Length + 16 * edits.Count);
        int pos = 0;
        Span<byte> digits = stackalloc byte[24];
        foreach (var (start, end, value) in edits)
        {
            for (int i = pos; i < start; i++) output.Add(frame[i]);
            Utf8Formatter.TryFormat(value, digits, out int n);
            for (int i = 0; i < n; i++) output.Add(digits[i]);
            pos = end;
        }
        for (int i = pos; i < frame.Length; i++) output.Add(frame[i]);
        return output.ToArray();
    }

    /// <summary>The payload of a combined-stream frame (the <c>data</c> value) and its stream name.</summary>
    public static (string Stream, byte[] Raw)? Unwrap(byte[] combined)
    {
        try { return UnwrapCore(combined); }
        catch (JsonException) { return null; } // not JSON (a binary file, a broken line): not a frame to play
        catch (InvalidOperationException) { return null; }
    }

    private static (string Stream, byte[] Raw)? UnwrapCore(byte[] combined)
    {
        var r = new Utf8JsonReader(combined);
        if (!r.Read() || r.TokenType != JsonTokenType.StartObject) return null;
        string? stream = null;
        byte[]? raw = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("stream"u8)) { r.Read(); stream = r.GetString(); }
            else if (r.ValueTextEquals("data"u8))
            {
                r.Read();
                int start = (int)r.TokenStartIndex;
                r.Skip();
                raw = combined[start..(int)r.BytesConsumed];
            }
            else { r.Read(); r.Skip(); }
        }
        return stream is null || raw is null ? null : (stream, raw);
    }

    public static byte[] Wrap(string stream, byte[] raw) =>
        [.. Encoding.UTF8.GetBytes("{\"stream\":\"" + stream + "\",\"data\":"), .. raw, (byte)'}'];
}
