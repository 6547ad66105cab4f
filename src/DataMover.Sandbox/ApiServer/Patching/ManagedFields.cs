using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Patching;

/// <summary>
/// metadata.managedFields as sets of leaf paths per (manager, operation, subresource), read from
/// and written to FieldsV1. Lists and empty objects are leaves (owned as a whole).
/// </summary>
internal sealed class ManagedFields
{
    public const char Separator = '\u0001';
    private static readonly HashSet<string> SystemMetadata = new(StringComparer.Ordinal)
    {
        "name", "namespace", "generateName", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "managedFields", "selfLink",
    };

    private ManagedFields(List<Entry> entries) => Entries = entries;

    public List<Entry> Entries { get; }

    public static ManagedFields Read(JsonObject? obj)
    {
        var entries = new List<Entry>();
        foreach (var e in (JsonPaths.Arr(obj, "metadata", "managedFields") ?? []).OfType<JsonObject>())
        {
            if (JsonPaths.Str(e, "manager") is not { } manager)
            {
                continue;
            }

            var paths = new HashSet<string>(StringComparer.Ordinal);
            ReadFields(JsonPaths.Obj(e, "fieldsV1"), "", paths);
            entries.Add(new Entry(manager, JsonPaths.Str(e, "operation") ?? "Update", JsonPaths.Str(e, "subresource"), JsonPaths.Str(e, "apiVersion") ?? "", JsonPaths.Str(e, "time") ?? JsonPaths.Now(), paths));
        }

        return new ManagedFields(entries);
    }

    /// <summary>Leaf fields of an object, without type meta and system metadata.</summary>
    public static HashSet<string> Leaves(JsonObject obj)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind")
            {
                continue;
            }

            if (key == "metadata" && value is JsonObject meta)
            {
                foreach (var (mk, mv) in meta)
                {
                    if (!SystemMetadata.Contains(mk))
                    {
                        Collect(mv, "metadata" + Separator + mk, result);
                    }
                }

                continue;
            }

            Collect(value, key, result);
        }

        return result;
    }

    public static JsonNode? At(JsonObject obj, string path)
    {
        JsonNode? current = obj;
        foreach (var part in path.Split(Separator))
        {
            current = (current as JsonObject)?[part];
        }

        return current;
    }

    public static string Dotted(string path) => "." + path.Replace(Separator, '.');

    /// <summary>
    /// Records a create/update/patch by <paramref name="manager"/>: it takes the fields whose
    /// value changed, every other manager loses them, and removed fields leave every set.
    /// Returns false when nothing changed (managedFields stay as they were).
    /// </summary>
    public bool RecordUpdate(JsonObject? old, JsonObject updated, string manager, string? subresource, string apiVersion)
    {
        var now = Leaves(updated);
        var before = old is null ? new HashSet<string>(StringComparer.Ordinal) : Leaves(old);
        var changed = now.Where(p => old is null || !JsonNode.DeepEquals(At(old, p), At(updated, p))).ToHashSet(StringComparer.Ordinal);
        var removed = before.Where(p => !now.Contains(p)).ToList();
        if (changed.Count == 0 && removed.Count == 0)
        {
            return false;
        }

        foreach (var entry in Entries)
        {
            entry.Paths.ExceptWith(changed);
            entry.Paths.ExceptWith(removed);
        }

        var mine = Entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update" && e.Subresource == subresource);
        if (mine is null)
        {
            mine = new Entry(manager, "Update", subresource, apiVersion, JsonPaths.Now(), []);
            Entries.Add(mine);
        }

        mine.Paths.UnionWith(changed);
        mine.Time = JsonPaths.Now();
        return true;
    }

    public void Write(JsonObject obj)
    {
        var array = new JsonArray();
        foreach (var e in Entries.Where(e => e.Paths.Count > 0))
        {
            var fields = new JsonObject();
            foreach (var path in e.Paths.Order(StringComparer.Ordinal))
            {
                var current = fields;
                foreach (var part in path.Split(Separator))
                {
                    current = JsonPaths.Ensure(current, "f:" + part);
                }
            }

            var entry = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
                ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = fields,
            };
            if (e.Subresource is not null)
            {
                entry["subresource"] = e.Subresource;
            }

            array.Add(entry);
        }

        var meta = JsonPaths.Meta(obj);
        if (array.Count == 0)
        {
            meta.Remove("managedFields");
        }
        else
        {
            meta["managedFields"] = array;
        }
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

    internal sealed class Entry(string manager, string operation, string? subresource, string apiVersion, string time, HashSet<string> paths)
    {
        public string Manager { get; } = manager;

        public string Operation { get; } = operation;

        public string? Subresource { get; } = subresource;

        public string ApiVersion { get; set; } = apiVersion;

        public string Time { get; set; } = time;

        public HashSet<string> Paths { get; } = paths;
    }
}
