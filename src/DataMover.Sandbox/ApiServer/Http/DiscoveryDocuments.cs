using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>Legacy discovery documents: /api, /apis, /api/v1, /apis/group/version, /version.</summary>
internal sealed class DiscoveryDocuments
{
    private readonly ResourceRegistry _registry;

    public DiscoveryDocuments(ResourceRegistry registry) => _registry = registry;

    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.0",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2024-12-11T00:00:00Z",
        ["goVersion"] = "go1.23.3",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject ApiVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = JsonPaths.StringArray(["v1"]),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public JsonObject GroupList()
    {
        var groups = new JsonArray();
        foreach (var (group, versions) in _registry.Groups())
        {
            groups.Add(Group(group, versions));
        }

        return new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups };
    }

    public JsonObject? GroupDocument(string group)
    {
        var match = _registry.Groups().FirstOrDefault(g => g.Group == group);
        if (match.Group is null)
        {
            return null;
        }

        var doc = Group(match.Group, match.Versions);
        doc["kind"] = "APIGroup";
        doc["apiVersion"] = "v1";
        return doc;
    }

    public JsonObject? ResourceList(string group, string version)
    {
        var types = _registry.All.Where(t => t.Group == group && t.Version == version).OrderBy(t => t.Plural, StringComparer.Ordinal).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var t in types)
        {
            var resource = new JsonObject
            {
                ["name"] = t.Plural,
                ["singularName"] = t.Singular,
                ["namespaced"] = t.Namespaced,
                ["kind"] = t.Kind,
                ["verbs"] = JsonPaths.StringArray(t.Verbs),
            };
            if (t.ShortNames.Count > 0)
            {
                resource["shortNames"] = JsonPaths.StringArray(t.ShortNames);
            }

            if (t.Categories.Count > 0)
            {
                resource["categories"] = JsonPaths.StringArray(t.Categories);
            }

            resources.Add(resource);
            if (t.HasStatus)
            {
                resources.Add(Subresource(t, "status", t.Kind, ["get", "patch", "update"]));
            }

            foreach (var sub in t.ExtraSubresources)
            {
                resources.Add(sub switch
                {
                    "log" => Subresource(t, "log", "Pod", ["get"]),
                    "binding" => Subresource(t, "binding", "Binding", ["create"]),
                    "finalize" => Subresource(t, "finalize", "Namespace", ["update"]),
                    "token" => Subresource(t, "token", "TokenRequest", ["create"], "authentication.k8s.io", "v1"),
                    _ => Subresource(t, sub, "Scale", ["get", "patch", "update"]),
                });
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }

    private static JsonObject Subresource(ResourceType t, string name, string kind, string[] verbs, string? group = null, string? version = null)
    {
        var sub = new JsonObject
        {
            ["name"] = $"{t.Plural}/{name}",
            ["singularName"] = "",
            ["namespaced"] = t.Namespaced,
            ["kind"] = kind,
            ["verbs"] = JsonPaths.StringArray(verbs),
        };
        if (kind == "Scale")
        {
            sub["group"] = "autoscaling";
            sub["version"] = "v1";
        }
        else if (group is not null)
        {
            sub["group"] = group;
            sub["version"] = version;
        }

        return sub;
    }

    private static JsonObject Group(string group, IReadOnlyList<string> versions)
    {
        var list = new JsonArray();
        foreach (var v in versions)
        {
            list.Add(new JsonObject { ["groupVersion"] = $"{group}/{v}", ["version"] = v });
        }

        return new JsonObject
        {
            ["name"] = group,
            ["versions"] = list,
            ["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{versions[0]}", ["version"] = versions[0] },
        };
    }
}
