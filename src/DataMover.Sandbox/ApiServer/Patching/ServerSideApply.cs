using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Patching;

/// <summary>
/// Server-side apply with field ownership between appliers: each Apply manager owns the fields of
/// its last applied configuration (recorded in metadata.managedFields as FieldsV1). Applying
/// merges the configuration over the live object, removes fields the manager stopped applying
/// (unless another applier owns them), and reports conflicts with other appliers that set a
/// different value unless force=true. Lists are owned atomically; fields written by plain
/// updates are not tracked.
/// </summary>
internal static class ServerSideApply
{
    private const char Separator = '\u0001';

    public static JsonObject Apply(JsonObject? live, JsonObject intent, string manager, bool force, ResourceType type)
    {
        var config = JsonPaths.Clone(intent);
        if (JsonPaths.Obj(config, "metadata") is { } configMeta)
        {
            foreach (var system in new[] { "managedFields", "uid", "creationTimestamp", "generation", "selfLink" })
            {
                configMeta.Remove(system);
            }
        }

        var applied = Leaves(config);
        applied.Remove("metadata\u0001resourceVersion");
        var managers = ReadManagers(live);
        if (live is not null && !force)
        {
            var conflicts = new List<(string Manager, string Path)>();
            foreach (var (other, owned) in managers.Where(m => m.Key != manager))
            {
                foreach (var path in applied.Intersect(owned))
                {
                    if (!JsonNode.DeepEquals(At(live, path), At(config, path)))
                    {
                        conflicts.Add((other, path));
                    }
                }
            }

            if (conflicts.Count > 0)
            {
                throw Conflict(conflicts, type);
            }
        }

        var result = live is null ? config : MergePatcher.Apply(JsonPaths.Clone(live), StripNulls(config)) as JsonObject ?? config;
        if (live is not null && managers.TryGetValue(manager, out var previous))
        {
            var ownedByOthers = managers.Where(m => m.Key != manager).SelectMany(m => m.Value).ToHashSet(StringComparer.Ordinal);
            foreach (var path in previous.Where(p => !applied.Contains(p) && !ownedByOthers.Contains(p)))
            {
                Remove(result, path);
            }
        }

        if (force)
        {
            foreach (var other in managers.Keys.Where(k => k != manager).ToList())
            {
                managers[other].ExceptWith(applied);
            }
        }

        managers[manager] = applied;
        WriteManagers(result, managers, type.ApiVersion);
        return result;
    }

    private static JsonNode? StripNulls(JsonNode? node)
    {
        if (node is JsonObject o)
        {
            foreach (var (key, value) in o.ToList())
            {
                if (value is null)
                {
                    o.Remove(key);
                }
                else
                {
                    StripNulls(value);
                }
            }
        }

        return node;
    }

    private static ApiException Conflict(List<(string Manager, string Path)> conflicts, ResourceType type)
    {
        var causes = new JsonArray();
        foreach (var (m, p) in conflicts)
        {
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with \"{m}\" using {type.ApiVersion}", ["field"] = Dotted(p) });
        }

        var list = string.Join("\n", conflicts.Select(c => $"- {c.Manager}: {Dotted(c.Path)}"));
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\" using {type.ApiVersion}: {Dotted(conflicts[0].Path)}"
            : $"Apply failed with {conflicts.Count} conflicts: conflicts with " + string.Join(", ", conflicts.Select(c => $"\"{c.Manager}\" using {type.ApiVersion}: {Dotted(c.Path)}"));
        _ = list;
        return new ApiException(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }

    private static string Dotted(string path) => "." + path.Replace(Separator, '.');

    /// <summary>Leaf fields of a configuration; lists and empty objects are leaves.</summary>
    private static HashSet<string> Leaves(JsonObject config)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in config)
        {
            if (key is "apiVersion" or "kind")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject meta)
            {
                foreach (var (mk, mv) in meta)
                {
                    if (mk is "name" or "namespace" or "generateName")
                    {
                        continue;
                    }

                    Collect(mv, "metadata" + Separator + mk, result);
                }

                continue;
            }

            Collect(value, key, result);
        }

        return result;
    }

    private static void Collect(JsonNode? node, string path, HashSet<string> result)
    {
        if (node is JsonObject o && o.Count > 0)
        {
            foreach (var (key, value) in o)
            {
                Collect(value, path + Separator + key, result);
            }
        }
        else
        {
            result.Add(path);
        }
    }

    private static JsonNode? At(JsonObject obj, string path)
    {
        JsonNode? current = obj;
        foreach (var part in path.Split(Separator))
        {
            current = (current as JsonObject)?[part];
        }

        return current;
    }

    private static void Remove(JsonObject obj, string path)
    {
        var parts = path.Split(Separator);
        var parents = new List<JsonObject> { obj };
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (parents[^1][parts[i]] is not JsonObject next)
            {
                return;
            }

            parents.Add(next);
        }

        parents[^1].Remove(parts[^1]);

        // Maps emptied by the removal go too, as nobody sets them any more.
        for (var i = parents.Count - 1; i > 0; i--)
        {
            if (parents[i].Count == 0)
            {
                parents[i - 1].Remove(parts[i - 1]);
            }
        }
    }

    private static Dictionary<string, HashSet<string>> ReadManagers(JsonObject? live)
    {
        var result = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var entry in (JsonPaths.Arr(live, "metadata", "managedFields") ?? []).OfType<JsonObject>())
        {
            if (JsonPaths.Str(entry, "operation") != "Apply" || JsonPaths.Str(entry, "manager") is not { } manager)
            {
                continue;
            }

            var paths = new HashSet<string>(StringComparer.Ordinal);
            ReadFields(JsonPaths.Obj(entry, "fieldsV1"), "", paths);
            result[manager] = paths;
        }

        return result;
    }

    private static void ReadFields(JsonObject? fields, string prefix, HashSet<string> paths)
    {
        foreach (var (key, value) in fields ?? [])
        {
            if (!key.StartsWith("f:", StringComparison.Ordinal))
            {
                continue;
            }

            var path = prefix.Length == 0 ? key[2..] : prefix + Separator + key[2..];
            if (value is JsonObject { Count: > 0 } children)
            {
                ReadFields(children, path, paths);
            }
            else
            {
                paths.Add(path);
            }
        }
    }

    private static void WriteManagers(JsonObject obj, Dictionary<string, HashSet<string>> managers, string apiVersion)
    {
        var meta = JsonPaths.Meta(obj);
        var existing = (JsonPaths.Arr(meta, "managedFields") ?? []).OfType<JsonObject>()
            .Where(e => JsonPaths.Str(e, "operation") != "Apply")
            .Select(e => (JsonNode)e.DeepClone())
            .ToList();
        foreach (var (manager, paths) in managers.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (paths.Count == 0)
            {
                continue;
            }

            var fields = new JsonObject();
            foreach (var path in paths.Order(StringComparer.Ordinal))
            {
                var current = fields;
                foreach (var part in path.Split(Separator))
                {
                    current = JsonPaths.Ensure(current, "f:" + part);
                }
            }

            existing.Add(new JsonObject
            {
                ["manager"] = manager,
                ["operation"] = "Apply",
                ["apiVersion"] = apiVersion,
                ["time"] = JsonPaths.Now(),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = fields,
            });
        }

        meta["managedFields"] = new JsonArray([.. existing]);
    }
}
