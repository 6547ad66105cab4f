using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>Services: ClusterIP allocation from 10.96.0.0/12 and the defaults the API server fills in.</summary>
internal sealed class ServiceStrategy : ResourceStrategy
{
    // 10.96.0.1 is the kubernetes service; allocation continues after it. Called under the store lock.
    private int _next = 10;

    public override void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        var spec = JsonPaths.Ensure(obj, "spec");
        Defaults(spec);
        if (JsonPaths.Str(spec, "type") != "ExternalName" && string.IsNullOrEmpty(JsonPaths.Str(spec, "clusterIP")))
        {
            var n = _next++;
            spec["clusterIP"] = $"10.96.{n / 256}.{n % 256}";
        }

        if (JsonPaths.Str(spec, "clusterIP") is { } ip && spec["clusterIPs"] is null)
        {
            spec["clusterIPs"] = JsonPaths.StringArray([ip]);
        }

        obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old)
    {
        var spec = JsonPaths.Ensure(obj, "spec");
        Defaults(spec);
        JsonPaths.SetDefault(spec, "clusterIP", JsonPaths.Node(old, "spec", "clusterIP")?.DeepClone() ?? JsonValue.Create(""));
        JsonPaths.SetDefault(spec, "clusterIPs", JsonPaths.Node(old, "spec", "clusterIPs")?.DeepClone() ?? new JsonArray());
    }

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var serviceType = JsonPaths.Str(obj, "spec", "type");
        string[] types = ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];
        if (serviceType is not null && !types.Contains(serviceType))
        {
            errors.Add(FieldError.NotSupported("spec.type", JsonValue.Create(serviceType), types));
        }

        var ports = JsonPaths.Arr(obj, "spec", "ports") ?? [];
        if (ports.Count == 0 && serviceType != "ExternalName" && JsonPaths.Str(obj, "spec", "clusterIP") != "None")
        {
            errors.Add(FieldError.Required("spec.ports"));
        }

        for (var i = 0; i < ports.Count; i++)
        {
            if (JsonPaths.Long(ports[i], "port") is not (> 0 and < 65536))
            {
                errors.Add(FieldError.Invalid($"spec.ports[{i}].port", JsonPaths.Node(ports[i], "port"), "must be between 1 and 65535, inclusive"));
            }
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        Immutable(obj, old, "spec.clusterIPs[0]", errors, "spec", "clusterIP");
    }

    private static void Defaults(JsonObject spec)
    {
        JsonPaths.SetDefault(spec, "type", "ClusterIP");
        JsonPaths.SetDefault(spec, "sessionAffinity", "None");
        JsonPaths.SetDefault(spec, "internalTrafficPolicy", "Cluster");
        JsonPaths.SetDefault(spec, "ipFamilies", JsonPaths.StringArray(["IPv4"]));
        JsonPaths.SetDefault(spec, "ipFamilyPolicy", "SingleStack");
        foreach (var port in (JsonPaths.Arr(spec, "ports") ?? []).OfType<JsonObject>())
        {
            JsonPaths.SetDefault(port, "protocol", "TCP");
            JsonPaths.SetDefault(port, "targetPort", port["port"]?.DeepClone() ?? JsonValue.Create(0));
        }
    }
}
