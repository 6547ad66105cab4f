using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>
/// A custom resource's openAPIV3Schema as the apiextensions server publishes it in /openapi/v3:
/// named after the reverse-DNS group (datamover.a-cup-of.coffee becomes coffee.a-cup-of.datamover),
/// tagged with its group/version/kind so kubectl explain finds it, with apiVersion, kind and
/// metadata described as on every Kubernetes object.
/// </summary>
internal static class CustomResourceSchemas
{
    private const string ApiVersionDescription =
        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";

    private const string KindDescription =
        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

    private const string MetadataDescription =
        "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

    public static string ModelName(ResourceType type) =>
        $"{string.Join('.', type.Group.Split('.').Reverse())}.{type.Version}.{type.Kind}";

    public static JsonObject Published(ResourceType type, JsonObject schema)
    {
        var published = (JsonObject)schema.DeepClone();
        var properties = published["properties"] as JsonObject ?? [];
        published["properties"] = properties;
        properties["apiVersion"] = new JsonObject { ["description"] = ApiVersionDescription, ["type"] = "string" };
        properties["kind"] = new JsonObject { ["description"] = KindDescription, ["type"] = "string" };

        // The apiextensions server points metadata at ObjectMeta; the sandbox publishes no built-in
        // schemas, so metadata stays an object with the standard description.
        properties["metadata"] = new JsonObject { ["description"] = MetadataDescription, ["type"] = "object" };
        published["x-kubernetes-group-version-kind"] = new JsonArray(
            new JsonObject { ["group"] = type.Group, ["kind"] = type.Kind, ["version"] = type.Version });
        return published;
    }
}
