using System.Text.Json.Serialization;

namespace TickEngine.Storage.Layout;

/// <summary>The ledger's JSON (source-generated: no reflection).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IngestLedger.Entry))]
internal sealed partial class IngestLedgerJson : JsonSerializerContext;
