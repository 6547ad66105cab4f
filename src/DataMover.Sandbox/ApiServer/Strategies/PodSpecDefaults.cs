using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>SetDefaults_PodSpec / SetDefaults_Container, shared by pods and pod templates (jobs).</summary>
internal static class PodSpecDefaults
{
    public static void Apply(JsonObject spec)
    {
        JsonPaths.SetDefault(spec, "dnsPolicy", "ClusterFirst");
        JsonPaths.SetDefault(spec, "restartPolicy", "Always");
        JsonPaths.SetDefault(spec, "terminationGracePeriodSeconds", 30);
        JsonPaths.SetDefault(spec, "securityContext", new JsonObject());
        JsonPaths.SetDefault(spec, "schedulerName", "default-scheduler");
        foreach (var list in new[] { "containers", "initContainers" })
        {
            if (spec[list] is JsonArray containers)
            {
                foreach (var c in containers.OfType<JsonObject>())
                {
                    ApplyContainer(c);
                }
            }
        }

        if (spec["volumes"] is JsonArray volumes)
        {
            foreach (var v in volumes.OfType<JsonObject>())
            {
                foreach (var source in new[] { "secret", "configMap", "projected", "downwardAPI" })
                {
                    if (v[source] is JsonObject s)
                    {
                        JsonPaths.SetDefault(s, "defaultMode", 420);
                    }
                }
            }
        }
    }

    private static void ApplyContainer(JsonObject c)
    {
        JsonPaths.SetDefault(c, "terminationMessagePath", "/dev/termination-log");
        JsonPaths.SetDefault(c, "terminationMessagePolicy", "File");
        JsonPaths.SetDefault(c, "imagePullPolicy", PullPolicyFor(JsonPaths.Str(c, "image") ?? ""));
        JsonPaths.SetDefault(c, "resources", new JsonObject());
        if (c["ports"] is JsonArray ports)
        {
            foreach (var p in ports.OfType<JsonObject>())
            {
                JsonPaths.SetDefault(p, "protocol", "TCP");
            }
        }

        if (c["env"] is JsonArray env)
        {
            foreach (var e in env.OfType<JsonObject>())
            {
                if (JsonPaths.Obj(e, "valueFrom", "fieldRef") is { } fieldRef)
                {
                    JsonPaths.SetDefault(fieldRef, "apiVersion", "v1");
                }
            }
        }
    }

    /// <summary>Always for ":latest" or an untagged image without digest, IfNotPresent otherwise.</summary>
    public static string PullPolicyFor(string image)
    {
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return "IfNotPresent";
        }

        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.LastIndexOf(':');
        if (colon < 0)
        {
            return "Always";
        }

        return lastSegment[(colon + 1)..] == "latest" ? "Always" : "IfNotPresent";
    }

    public static void Validate(JsonObject? spec, string path, List<FieldError> errors, bool template)
    {
        if (spec is null)
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        var volumeNames = new HashSet<string>(StringComparer.Ordinal);
        if (spec["volumes"] is JsonArray volumes)
        {
            for (var i = 0; i < volumes.Count; i++)
            {
                var name = JsonPaths.Str(volumes[i], "name") ?? "";
                if (name.Length == 0)
                {
                    errors.Add(FieldError.Required($"{path}.volumes[{i}].name"));
                }
                else if (!volumeNames.Add(name))
                {
                    errors.Add(FieldError.Duplicate($"{path}.volumes[{i}].name", JsonValue.Create(name)));
                }
            }
        }

        if (spec["containers"] is not JsonArray { Count: > 0 } containers)
        {
            errors.Add(FieldError.Required($"{path}.containers"));
        }
        else
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < containers.Count; i++)
            {
                var c = containers[i] as JsonObject;
                var cpath = $"{path}.containers[{i}]";
                var name = JsonPaths.Str(c, "name") ?? "";
                if (name.Length == 0)
                {
                    errors.Add(FieldError.Required(cpath + ".name"));
                }
                else
                {
                    foreach (var msg in NameValidation.DnsLabel(name))
                    {
                        errors.Add(FieldError.Invalid(cpath + ".name", JsonValue.Create(name), msg));
                    }

                    if (!names.Add(name))
                    {
                        errors.Add(FieldError.Duplicate(cpath + ".name", JsonValue.Create(name)));
                    }
                }

                if (string.IsNullOrEmpty(JsonPaths.Str(c, "image")) && !template)
                {
                    errors.Add(FieldError.Required(cpath + ".image"));
                }

                if (c?["volumeMounts"] is JsonArray mounts)
                {
                    for (var m = 0; m < mounts.Count; m++)
                    {
                        var mountName = JsonPaths.Str(mounts[m], "name") ?? "";
                        if (!volumeNames.Contains(mountName))
                        {
                            errors.Add(FieldError.NotFound($"{cpath}.volumeMounts[{m}].name", JsonValue.Create(mountName)));
                        }

                        if (string.IsNullOrEmpty(JsonPaths.Str(mounts[m], "mountPath")))
                        {
                            errors.Add(FieldError.Required($"{cpath}.volumeMounts[{m}].mountPath"));
                        }
                    }
                }
            }
        }

        var restart = JsonPaths.Str(spec, "restartPolicy");
        if (restart is not null and not ("Always" or "OnFailure" or "Never"))
        {
            errors.Add(FieldError.NotSupported($"{path}.restartPolicy", JsonValue.Create(restart), ["Always", "OnFailure", "Never"]));
        }
    }
}
