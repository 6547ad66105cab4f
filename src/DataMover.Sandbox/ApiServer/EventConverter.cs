using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>events.k8s.io/v1 Event over the core/v1 storage form, field by field as the real conversion does.</summary>
internal sealed class EventConverter : IVersionConverter
{
    private static readonly (string External, string Stored)[] Renames =
    [
        ("regarding", "involvedObject"),
        ("note", "message"),
        ("reportingController", "reportingComponent"),
        ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"),
        ("deprecatedLastTimestamp", "lastTimestamp"),
        ("deprecatedCount", "count"),
    ];

    public JsonObject ToStorage(JsonObject external)
    {
        var stored = Rename(external, toStorage: true);
        stored["apiVersion"] = "v1";
        return stored;
    }

    public JsonObject FromStorage(JsonObject stored)
    {
        var external = Rename(stored, toStorage: false);
        external["apiVersion"] = "events.k8s.io/v1";
        return external;
    }

    private static JsonObject Rename(JsonObject source, bool toStorage)
    {
        var result = new JsonObject();
        foreach (var (key, value) in source)
        {
            var target = key;
            foreach (var (external, stored) in Renames)
            {
                if (toStorage && key == external)
                {
                    target = stored;
                }
                else if (!toStorage && key == stored)
                {
                    target = external;
                }
            }

            result[target] = value?.DeepClone();
        }

        return result;
    }
}
