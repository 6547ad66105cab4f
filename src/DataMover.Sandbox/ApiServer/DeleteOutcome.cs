using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>What a DELETE did: removed now, or marked for deletion and still present.</summary>
internal sealed record DeleteOutcome(JsonObject Object, bool Removed);
