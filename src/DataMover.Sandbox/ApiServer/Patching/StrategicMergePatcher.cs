using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Patching;

/// <summary>
/// Strategic merge patch for built-in kinds: lists with a known patchMergeKey (containers, env,
/// volumes, volumeMounts, ports, conditions...) merge element-wise, other lists replace;
/// supports $patch (delete/replace/merge), $deleteFromPrimitiveList and ignores $setElementOrder/$retainKeys.
/// </summary>
internal static class StrategicMergePatcher
{
    private static readonly Dictionary<string, string> MergeKeys = new(StringComparer.Ordinal)
    {
        ["containers"] = "name",
        ["initContainers"] = "name",
        ["ephemeralContainers"] = "name",
        ["env"] = "name",
        ["volumes"] = "name",
        ["volumeMounts"] = "mountPath",
        ["volumeDevices"] = "devicePath",
        ["ports"] = "containerPort",
        ["imagePullSecrets"] = "name",
        ["conditions"] = "type",
        ["ownerReferences"] = "uid",
        ["hostAliases"] = "ip",
        ["topologySpreadConstraints"] = "topologyKey",
        ["resourceClaims"] = "name",
        ["containerStatuses"] = "name",
        ["initContainerStatuses"] = "name",
    };

    /// <summary>Primitive lists whose patch strategy is "merge" (set union).</summary>
    private static readonly HashSet<string> MergedPrimitiveLists = new(StringComparer.Ordinal) { "finalizers" };

    public static JsonNode? Apply(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObj)
        {
            return patch?.DeepClone();
        }

        if (JsonPaths.Str(patchObj, "$patch") == "replace")
        {
            var replacement = (JsonObject)patchObj.DeepClone();
            replacement.Remove("$patch");
            return replacement;
        }

        if (JsonPaths.Str(patchObj, "$patch") == "delete")
        {
            return null;
        }

        var result = target as JsonObject ?? new JsonObject();
        foreach (var (key, value) in patchObj)
        {
            if (key is "$patch" or "$retainKeys" || key.StartsWith("$setElementOrder/", StringComparison.Ordinal))
            {
                continue;
            }

            if (key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal))
            {
                var field = key["$deleteFromPrimitiveList/".Length..];
                if (result[field] is JsonArray list && value is JsonArray remove)
                {
                    foreach (var item in list.Where(i => remove.Any(r => JsonNode.DeepEquals(r, i))).ToList())
                    {
                        list.Remove(item);
                    }
                }

                continue;
            }

            if (value is null)
            {
                result.Remove(key);
                continue;
            }

            var existing = result[key]?.DeepClone();
            result.Remove(key);
            JsonNode? merged;
            if (value is JsonArray patchList && existing is JsonArray currentList && MergeKeys.TryGetValue(key, out var mergeKey) && patchList.All(i => i is JsonObject))
            {
                merged = MergeList(currentList, patchList, mergeKey);
            }
            else if (value is JsonArray primitives && existing is JsonArray currentPrimitives && MergedPrimitiveLists.Contains(key))
            {
                merged = currentPrimitives;
                foreach (var p in primitives)
                {
                    if (!currentPrimitives.Any(c => JsonNode.DeepEquals(c, p)))
                    {
                        currentPrimitives.Add(p?.DeepClone());
                    }
                }
            }
            else if (value is JsonArray plainList)
            {
                // Lists without a merge key are replaced; strip directives the client may have left in.
                merged = new JsonArray([.. plainList.Where(i => !(i is JsonObject o && o.ContainsKey("$patch"))).Select(i => i?.DeepClone())]);
            }
            else
            {
                merged = Apply(existing, value);
            }

            if (merged is not null)
            {
                result[key] = merged;
            }
        }

        return result;
    }

    private static JsonArray MergeList(JsonArray current, JsonArray patch, string mergeKey)
    {
        if (patch.OfType<JsonObject>().Any(p => JsonPaths.Str(p, "$patch") == "replace"))
        {
            return new JsonArray([.. patch.OfType<JsonObject>().Where(p => JsonPaths.Str(p, "$patch") != "replace").Select(p => p.DeepClone())]);
        }

        var result = new JsonArray([.. current.Select(c => c?.DeepClone())]);
        foreach (var item in patch.OfType<JsonObject>())
        {
            var key = item[mergeKey];
            var index = -1;
            for (var i = 0; i < result.Count; i++)
            {
                if (JsonNode.DeepEquals(result[i]?[mergeKey], key))
                {
                    index = i;
                    break;
                }
            }

            if (JsonPaths.Str(item, "$patch") == "delete")
            {
                if (index >= 0)
                {
                    result.RemoveAt(index);
                }

                continue;
            }

            if (index >= 0)
            {
                var merged = Apply(result[index]?.DeepClone(), item);
                result[index] = merged;
            }
            else
            {
                result.Add(Apply(null, item));
            }
        }

        return result;
    }
}
