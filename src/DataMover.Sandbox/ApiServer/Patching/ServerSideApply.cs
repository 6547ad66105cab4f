using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Patching;

/// <summary>
/// Server-side apply over <see cref="ManagedFields"/>: the applied configuration is merged over the
/// live object; the manager then owns exactly the configuration's leaf fields; fields it stopped
/// applying are removed unless another manager owns them; a field owned by another manager
/// (applier or updater) with a different value is a conflict unless force=true, which transfers
/// ownership. Lists are owned as a whole.
/// </summary>
internal static class ServerSideApply
{
    public static JsonObject Apply(JsonObject? live, JsonObject intent, string manager, bool force, ResourceType type, string? subresource = null)
    {
        var config = JsonPaths.Clone(intent);
        if (JsonPaths.Obj(config, "metadata") is { } configMeta)
        {
            foreach (var system in new[] { "managedFields", "uid", "creationTimestamp", "generation", "selfLink" })
            {
                configMeta.Remove(system);
            }
        }

        var applied = ManagedFields.Leaves(config);
        var managed = ManagedFields.Read(live);
        var others = managed.Entries.Where(e => !(e.Manager == manager && e.Operation == "Apply" && e.Subresource == subresource)).ToList();
        if (live is not null && !force)
        {
            var conflicts = new List<(string Manager, string Path)>();
            foreach (var other in others.Where(o => o.Manager != manager))
            {
                foreach (var path in applied.Intersect(other.Paths).Order(StringComparer.Ordinal))
                {
                    if (!JsonNode.DeepEquals(ManagedFields.At(live, path), ManagedFields.At(config, path)))
                    {
                        conflicts.Add((other.Manager, path));
                    }
                }
            }

            if (conflicts.Count > 0)
            {
                throw Conflict(conflicts, type);
            }
        }

        var result = live is null ? config : MergePatcher.Apply(JsonPaths.Clone(live), StripNulls(config)) as JsonObject ?? config;
        var mine = managed.Entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply" && e.Subresource == subresource);
        if (live is not null && mine is not null)
        {
            var ownedByOthers = others.SelectMany(o => o.Paths).ToHashSet(StringComparer.Ordinal);
            foreach (var path in mine.Paths.Where(p => !applied.Contains(p) && !ownedByOthers.Contains(p)).ToList())
            {
                Remove(result, path);
            }
        }

        foreach (var other in others)
        {
            // Shared ownership when values agree; force takes fields away from everyone else.
            if (force)
            {
                other.Paths.ExceptWith(applied);
            }
        }

        if (mine is null)
        {
            mine = new ManagedFields.Entry(manager, "Apply", subresource, type.ApiVersion, JsonPaths.Now(), []);
            managed.Entries.Add(mine);
        }

        mine.Paths.Clear();
        mine.Paths.UnionWith(applied);
        mine.Paths.Remove("metadata" + ManagedFields.Separator + "resourceVersion");
        mine.ApiVersion = type.ApiVersion;
        mine.Time = JsonPaths.Now();
        managed.Write(result);
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
            causes.Add(new JsonObject { ["reason"] = "FieldManagerConflict", ["message"] = $"conflict with \"{m}\" using {type.ApiVersion}", ["field"] = ManagedFields.Dotted(p) });
        }

        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\" using {type.ApiVersion}: {ManagedFields.Dotted(conflicts[0].Path)}"
            : $"Apply failed with {conflicts.Count} conflicts: " + string.Join("\n", conflicts.Select(c => $"conflict with \"{c.Manager}\" using {type.ApiVersion}: {ManagedFields.Dotted(c.Path)}"));
        return new ApiException(409, "Conflict", message, new JsonObject { ["causes"] = causes });
    }

    private static void Remove(JsonObject obj, string path)
    {
        var parts = path.Split(ManagedFields.Separator);
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
}
