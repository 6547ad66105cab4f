using System.Text.Json.Nodes;

namespace DataMover.Kube.Client;

/// <summary>A patch body with its content type.</summary>
public sealed record KubePatch(string ContentType, string Body)
{
    /// <summary>RFC 7386 JSON merge patch.</summary>
    public static KubePatch Merge(JsonNode body) => new("application/merge-patch+json", body.ToJsonString());

    /// <summary>RFC 7386 JSON merge patch from JSON text.</summary>
    public static KubePatch Merge(string json) => new("application/merge-patch+json", json);

    /// <summary>RFC 6902 JSON patch.</summary>
    public static KubePatch Json(JsonArray operations) => new("application/json-patch+json", operations.ToJsonString());

    /// <summary>Kubernetes strategic merge patch (built-in types only).</summary>
    public static KubePatch StrategicMerge(string json) => new("application/strategic-merge-patch+json", json);

    /// <summary>Server-side apply of a full intent (JSON or YAML); use with <see cref="PatchOptions.FieldManager"/>.</summary>
    public static KubePatch Apply(string yamlOrJson) => new("application/apply-patch+yaml", yamlOrJson);
}
