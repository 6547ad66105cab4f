using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Http;

namespace DataMover.Sandbox.ApiServer;

/// <summary>One change as kept in the watch history. Objects are frozen: nobody mutates them after storing.</summary>
internal sealed record StoredEvent(string Type, JsonObject Object, JsonObject? OldObject, long ResourceVersion)
{
    private Presented? _presented;

    /// <summary>
    /// The object as a watch of <paramref name="type"/> sends it, serialized once for every watcher of that type
    /// (the watch cache's cachingObject does the same): presenting it clones, defaults and reorders the object.
    /// </summary>
    public byte[] PresentedJson(ResourceType type)
    {
        if (_presented is { } cached && ReferenceEquals(cached.Type, type))
        {
            return cached.Json;
        }

        var json = HttpIo.Serialize(ObjectService.Present(type, Object));
        _presented = new Presented(type, json);
        return json;
    }

    private sealed record Presented(ResourceType Type, byte[] Json);
}
