using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>One change as kept in the watch history. Objects are frozen: nobody mutates them after storing.</summary>
internal sealed record StoredEvent(string Type, JsonObject Object, JsonObject? OldObject, long ResourceVersion);
