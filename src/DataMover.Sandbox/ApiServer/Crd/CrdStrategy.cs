using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>
/// CustomResourceDefinition objects: defaulting and validation of names/versions, and the
/// status the naming and establishing controllers would set (NamesAccepted, Established).
/// </summary>
internal sealed class CrdStrategy : ResourceStrategy
{
    public override void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        obj.Remove("status");
        Defaults(obj);
        obj["status"] = StatusFor(obj);

        // The apiextensions finalizer controller deletes all instances before the CRD goes away.
        var finalizers = JsonPaths.Finalizers(obj);
        if (!finalizers.Contains(CrdController.CleanupFinalizer))
        {
            finalizers.Add(CrdController.CleanupFinalizer);
            JsonPaths.SetFinalizers(obj, finalizers);
        }
    }

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old)
    {
        Defaults(obj);
        var status = StatusFor(obj);

        // Conditions keep their transition times; only names and stored versions follow the spec.
        if (JsonPaths.Arr(old, "status", "conditions") is { } oldConditions)
        {
            status["conditions"] = oldConditions.DeepClone();
        }

        if (JsonPaths.Arr(old, "status", "storedVersions") is { } stored)
        {
            var versions = stored.Select(s => s!.GetValue<string>()).ToList();
            foreach (var v in (JsonPaths.Arr(status, "storedVersions") ?? []).Select(s => s!.GetValue<string>()))
            {
                if (!versions.Contains(v))
                {
                    versions.Add(v);
                }
            }

            status["storedVersions"] = JsonPaths.StringArray(versions);
        }

        if (JsonPaths.IsDeleting(old) && !status["conditions"]!.AsArray().Any(c => JsonPaths.Str(c, "type") == "Terminating"))
        {
            status["conditions"]!.AsArray().Add(Condition("Terminating", "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress"));
        }

        obj["status"] = status;
    }

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonPaths.Obj(obj, "spec");
        var group = JsonPaths.Str(spec, "group") ?? "";
        var plural = JsonPaths.Str(spec, "names", "plural") ?? "";
        if (group.Length == 0)
        {
            errors.Add(FieldError.Required("spec.group"));
        }
        else if (!group.Contains('.', StringComparison.Ordinal))
        {
            errors.Add(FieldError.Invalid("spec.group", JsonValue.Create(group), "should be a domain with at least one dot"));
        }

        if (plural.Length == 0)
        {
            errors.Add(FieldError.Required("spec.names.plural"));
        }
        else
        {
            foreach (var msg in NameValidation.DnsLabel(plural))
            {
                errors.Add(FieldError.Invalid("spec.names.plural", JsonValue.Create(plural), msg));
            }
        }

        if (string.IsNullOrEmpty(JsonPaths.Str(spec, "names", "kind")))
        {
            errors.Add(FieldError.Required("spec.names.kind"));
        }

        if (JsonPaths.Name(obj) != $"{plural}.{group}")
        {
            errors.Add(FieldError.Invalid("metadata.name", JsonValue.Create(JsonPaths.Name(obj)), "must be spec.names.plural+\".\"+spec.group"));
        }

        var scope = JsonPaths.Str(spec, "scope");
        if (scope is not ("Namespaced" or "Cluster"))
        {
            errors.Add(scope is null ? FieldError.Required("spec.scope") : FieldError.NotSupported("spec.scope", JsonValue.Create(scope), ["Cluster", "Namespaced"]));
        }

        var versions = JsonPaths.Arr(spec, "versions") ?? [];
        if (versions.Count == 0)
        {
            errors.Add(FieldError.Invalid("spec.versions", null, "must have exactly one version marked as storage version"));
        }
        else if (versions.Count(v => JsonPaths.Bool(v, "storage") == true) != 1)
        {
            errors.Add(FieldError.Invalid("spec.versions", new JsonArray(), "must have exactly one version marked as storage version"));
        }

        for (var i = 0; i < versions.Count; i++)
        {
            var v = versions[i];
            if (string.IsNullOrEmpty(JsonPaths.Str(v, "name")))
            {
                errors.Add(FieldError.Required($"spec.versions[{i}].name"));
            }

            var schema = JsonPaths.Obj(v, "schema", "openAPIV3Schema");
            if (schema is null)
            {
                errors.Add(FieldError.Required($"spec.versions[{i}].schema.openAPIV3Schema", "schemas are required"));
            }
            else
            {
                if (JsonPaths.Str(schema, "type") != "object")
                {
                    errors.Add(JsonPaths.Str(schema, "type") is null
                        ? FieldError.Required($"spec.versions[{i}].schema.openAPIV3Schema.type", "must not be empty at the root")
                        : FieldError.Invalid($"spec.versions[{i}].schema.openAPIV3Schema.type", schema["type"], "must be object at the root"));
                }

                StructuralSchemaChecker.Check(schema, $"spec.versions[{i}].schema.openAPIV3Schema", errors);
            }

            StructuralSchemaChecker.CheckColumns(JsonPaths.Arr(v, "additionalPrinterColumns"), $"spec.versions[{i}].additionalPrinterColumns", errors);
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        Immutable(obj, old, "spec.group", errors, "spec", "group");
        Immutable(obj, old, "spec.names.plural", errors, "spec", "names", "plural");
    }

    private static void Defaults(JsonObject obj)
    {
        var spec = JsonPaths.Ensure(obj, "spec");
        var names = JsonPaths.Ensure(spec, "names");
        var kind = JsonPaths.Str(names, "kind") ?? "";
        JsonPaths.SetDefault(names, "singular", kind.ToLowerInvariant());
        JsonPaths.SetDefault(names, "listKind", kind + "List");
        JsonPaths.SetDefault(spec, "conversion", new JsonObject { ["strategy"] = "None" });
        foreach (var version in (JsonPaths.Arr(spec, "versions") ?? []).OfType<JsonObject>())
        {
            foreach (var column in (JsonPaths.Arr(version, "additionalPrinterColumns") ?? []).OfType<JsonObject>())
            {
                JsonPaths.SetDefault(column, "priority", 0);
            }
        }
    }

    private static JsonObject StatusFor(JsonObject obj)
    {
        var names = JsonPaths.Obj(obj, "spec", "names")?.DeepClone() ?? new JsonObject();
        var storage = (JsonPaths.Arr(obj, "spec", "versions") ?? []).FirstOrDefault(v => JsonPaths.Bool(v, "storage") == true);
        return new JsonObject
        {
            ["conditions"] = new JsonArray(
                Condition("NamesAccepted", "True", "NoConflicts", "no conflicts found"),
                Condition("Established", "True", "InitialNamesAccepted", "the initial names have been accepted")),
            ["acceptedNames"] = names,
            ["storedVersions"] = JsonPaths.StringArray(storage is null ? [] : [JsonPaths.Str(storage, "name") ?? ""]),
        };
    }

    private static JsonObject Condition(string type, string status, string reason, string message) => new()
    {
        ["type"] = type,
        ["status"] = status,
        ["lastTransitionTime"] = JsonPaths.Now(),
        ["reason"] = reason,
        ["message"] = message,
    };
}
