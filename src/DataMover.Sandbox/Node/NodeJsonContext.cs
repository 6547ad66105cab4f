using System.Text.Json.Serialization;

namespace DataMover.Sandbox.Node;

/// <summary>Source-generated serialization for the few free-form values the node agent writes.</summary>
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(bool))]
internal sealed partial class NodeJsonContext : JsonSerializerContext;
