using System.Text;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>Generic metadata validation every kind gets (ValidateObjectMeta / ValidateObjectMetaUpdate).</summary>
internal static class ObjectMetaValidator
{
    private const int TotalAnnotationSizeLimit = 256 * 1024;

    public static void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var meta = JsonPaths.Obj(obj, "metadata") ?? new JsonObject();
        var name = JsonPaths.Str(meta, "name") ?? "";
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required("metadata.name", "name or generateName is required"));
        }
        else
        {
            foreach (var msg in NameValidation.Name(type.NameRule, name))
            {
                errors.Add(FieldError.Invalid("metadata.name", JsonValue.Create(name), msg));
            }
        }

        var ns = JsonPaths.Str(meta, "namespace");
        if (type.Namespaced && string.IsNullOrEmpty(ns))
        {
            errors.Add(FieldError.Required("metadata.namespace"));
        }
        else if (!type.Namespaced && !string.IsNullOrEmpty(ns))
        {
            errors.Add(FieldError.Forbidden("metadata.namespace", "not allowed on this type"));
        }

        if (JsonPaths.Long(meta, "generation") is < 0)
        {
            errors.Add(FieldError.Invalid("metadata.generation", meta["generation"], "must be greater than or equal to 0"));
        }

        ValidateLabels(meta["labels"], "metadata.labels", errors);
        ValidateAnnotations(meta["annotations"], errors);
        ValidateFinalizers(meta["finalizers"], errors);
        ValidateOwnerReferences(meta["ownerReferences"], errors);
    }

    public static void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        var now = JsonPaths.Finalizers(obj);
        if (JsonPaths.IsDeleting(old))
        {
            var before = JsonPaths.Finalizers(old);
            var added = now.Where(f => !before.Contains(f)).ToList();
            if (added.Count > 0)
            {
                errors.Add(FieldError.Forbidden("metadata.finalizers", $"no new finalizers can be added if the object is being deleted, found new finalizers []string{{{string.Join(", ", added.Select(JsonPaths.Quote))}}}"));
            }
        }
    }

    public static void ValidateLabels(JsonNode? labels, string field, List<FieldError> errors)
    {
        if (labels is not JsonObject map)
        {
            return;
        }

        foreach (var (key, value) in map)
        {
            foreach (var msg in NameValidation.QualifiedName(key))
            {
                errors.Add(FieldError.Invalid(field, JsonValue.Create(key), msg));
            }

            var text = value is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";
            foreach (var msg in NameValidation.LabelValue(text))
            {
                errors.Add(FieldError.Invalid(field, JsonValue.Create(text), msg));
            }
        }
    }

    private static void ValidateAnnotations(JsonNode? annotations, List<FieldError> errors)
    {
        if (annotations is not JsonObject map)
        {
            return;
        }

        var total = 0;
        foreach (var (key, value) in map)
        {
            foreach (var msg in NameValidation.QualifiedName(key.ToLowerInvariant()))
            {
                errors.Add(FieldError.Invalid("metadata.annotations", JsonValue.Create(key), msg));
            }

            total += Encoding.UTF8.GetByteCount(key) + Encoding.UTF8.GetByteCount(value?.GetValue<string>() ?? "");
        }

        if (total > TotalAnnotationSizeLimit)
        {
            errors.Add(FieldError.TooLong("metadata.annotations", $"must have at most {TotalAnnotationSizeLimit} bytes"));
        }
    }

    private static void ValidateFinalizers(JsonNode? finalizers, List<FieldError> errors)
    {
        if (finalizers is not JsonArray list)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var f = list[i]?.GetValue<string>() ?? "";
            foreach (var msg in NameValidation.QualifiedName(f))
            {
                errors.Add(FieldError.Invalid($"metadata.finalizers[{i}]", JsonValue.Create(f), msg));
            }

            seen.Add(f);
        }

        if (seen.Contains("orphan") && seen.Contains("foregroundDeletion"))
        {
            errors.Add(FieldError.Invalid("metadata.finalizers", JsonValue.Create("foregroundDeletion"), "finalizer foregroundDeletion and orphan cannot be both set"));
        }
    }

    private static void ValidateOwnerReferences(JsonNode? refs, List<FieldError> errors)
    {
        if (refs is not JsonArray list)
        {
            return;
        }

        var controllers = 0;
        for (var i = 0; i < list.Count; i++)
        {
            var r = list[i] as JsonObject;
            foreach (var required in new[] { "apiVersion", "kind", "name", "uid" })
            {
                if (string.IsNullOrEmpty(JsonPaths.Str(r, required)))
                {
                    errors.Add(required == "uid"
                        ? FieldError.Invalid($"metadata.ownerReferences.uid", JsonValue.Create(""), "uid must not be empty")
                        : FieldError.Invalid($"metadata.ownerReferences.{required}", JsonValue.Create(""), $"{required} must not be empty"));
                }
            }

            if (JsonPaths.Bool(r, "controller") == true)
            {
                controllers++;
            }
        }

        if (controllers > 1)
        {
            errors.Add(FieldError.Invalid("metadata.ownerReferences", null, "Only one reference can have Controller set to true"));
        }
    }
}
