using System.IO.Compression;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using TickEngine.Tests.Shared;

namespace TickEngine.Cli.Tests;

/// <summary>
/// A real cryptofeed capture (container B: JSON lines, each frame a JSON string in <c>data</c>) loaded for editing:
/// the hostile corpus makes each of its cases from a shared capture by the one edit the case names, then saves the
/// copy as gzip. Frames are edited as JSON (numbers keep their text; nothing else of the frame changes).
/// </summary>
public sealed class CaptureEdit
{
    private static readonly JsonSerializerOptions Raw = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public List<JsonObject> Records { get; }

    private CaptureEdit(List<JsonObject> records) => Records = records;

    public static CaptureEdit Load(string fixture)
    {
        var records = new List<JsonObject>();
        using var gz = new GZipStream(File.OpenRead(RepoPaths.Fixture(fixture)), CompressionMode.Decompress);
        using var reader = new StreamReader(gz);
        string? line;
        while ((line = reader.ReadLine()) is not null) records.Add(JsonNode.Parse(line)!.AsObject());
        return new CaptureEdit(records);
    }

    public static CaptureEdit Okx() => Load("okx/cryptofeed_OKX_v5.jsonl.gz");
    public static CaptureEdit Coinbase() => Load("coinbase/cryptofeed_COINBASE_advanced_trade.jsonl.gz");
    public static CaptureEdit Bybit() => Load("bybit/cryptofeed_BYBIT_v5_linear_spot.jsonl.gz");

    /// <summary>The received frames, in order: (record index, the frame parsed).</summary>
    public IEnumerable<(int Index, JsonObject Frame)> Frames(Func<string, bool>? textFilter = null)
    {
        for (int i = 0; i < Records.Count; i++)
        {
            var r = Records[i];
            if ((string?)r["t"] != "recv") continue;
            string data = (string)r["data"]!;
            if (data.Length == 0 || data[0] != '{' || (textFilter is not null && !textFilter(data))) continue;
            yield return (i, JsonNode.Parse(data)!.AsObject());
        }
    }

    /// <summary>The first frame whose text matches, with its index.</summary>
    public (int Index, JsonObject Frame) First(Func<string, bool> textFilter) => Frames(textFilter).First();

    /// <summary>Puts <paramref name="frame"/> back as record <paramref name="index"/>'s data.</summary>
    public void Set(int index, JsonObject frame) => Records[index]["data"] = frame.ToJsonString(Raw);

    /// <summary>Record <paramref name="index"/>'s data, as text.</summary>
    public string Text(int index) => (string)Records[index]["data"]!;

    /// <summary>Replaces record <paramref name="index"/>'s data text.</summary>
    public void SetText(int index, string data) => Records[index]["data"] = data;

    public string Save(string path)
    {
        using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        using var w = new StreamWriter(gz);
        foreach (var r in Records) w.Write(r.ToJsonString(Raw) + "\n");
        return path;
    }
}
