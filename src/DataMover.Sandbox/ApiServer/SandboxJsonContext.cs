using System.Text.Json.Serialization;

namespace DataMover.Sandbox.ApiServer;

/// <summary>Source-generated serialization for the few typed values the server writes (no reflection).</summary>
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(ContinueToken))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
