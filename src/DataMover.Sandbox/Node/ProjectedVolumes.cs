using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Sandbox.ControlPlane;

namespace DataMover.Sandbox.Node;

/// <summary>
/// The kubelet's projected volumes (pkg/volume/projected), as the ServiceAccount admission plugin's
/// kube-api-access-* volume uses them: serviceAccountToken sources are minted through TokenRequest for the pod's
/// ServiceAccount, bound to the pod (so the token dies with it); configMap, secret and downwardAPI (metadata
/// namespace/name/uid) sources are written from the informer caches and the pod.
/// </summary>
internal sealed class ProjectedVolumes
{
    private readonly ResourceClient<GenericObject> _serviceAccounts;

    public ProjectedVolumes(KubeClient client) =>
        _serviceAccounts = client.Resource(new ResourceType<GenericObject>("", "v1", "serviceaccounts", "ServiceAccount", true, GenericJsonContext.Default.GenericObject, GenericJsonContext.Default.KubeListGenericObject));

    public static IEnumerable<(string Name, JsonElement Projected)> Of(Pod pod)
    {
        foreach (var volume in pod.Spec?.Volumes ?? [])
        {
            if (volume.Extra is { } extra && extra.TryGetValue("projected", out var projected) && projected.ValueKind == JsonValueKind.Object)
            {
                yield return (volume.Name, projected);
            }
        }
    }

    /// <summary>Tokens for every serviceAccountToken source, keyed "volume/path"; failures become mount problems.</summary>
    public async Task<Dictionary<string, string>> MintTokensAsync(Pod pod, List<string> problems, CancellationToken cancellationToken)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, projected) in Of(pod))
        {
            foreach (var source in Sources(projected))
            {
                if (!source.TryGetProperty("serviceAccountToken", out var tokenSource))
                {
                    continue;
                }

                var spec = new JsonObject
                {
                    ["expirationSeconds"] = tokenSource.TryGetProperty("expirationSeconds", out var e) && e.TryGetInt64(out var seconds) ? seconds : 3600,
                    ["boundObjectRef"] = new JsonObject { ["kind"] = "Pod", ["apiVersion"] = "v1", ["name"] = pod.Metadata.Name, ["uid"] = pod.Metadata.Uid },
                };
                if (tokenSource.TryGetProperty("audience", out var audience) && audience.GetString() is { Length: > 0 } a)
                {
                    spec["audiences"] = new JsonArray(a);
                }

                var body = new JsonObject { ["apiVersion"] = "authentication.k8s.io/v1", ["kind"] = "TokenRequest", ["spec"] = spec };
                var path = tokenSource.TryGetProperty("path", out var p) ? p.GetString() ?? "token" : "token";
                try
                {
                    var response = await _serviceAccounts.SendSubresourceAsync(HttpMethod.Post, pod.Metadata.Namespace, pod.Spec?.ServiceAccountName ?? "default", "token", body.ToJsonString(), cancellationToken);
                    tokens[name + "/" + path] = JsonNode.Parse(response)?["status"]?["token"]?.GetValue<string>() ?? "";
                }
                catch (KubeApiException ex)
                {
                    problems.Add($"MountVolume.SetUp failed for volume \"{name}\" : failed to fetch token: {ex.Message}");
                }
            }
        }

        return tokens;
    }

    /// <summary>Writes one projected volume's files; returns a mount problem, or null.</summary>
    public static string? Write(Pod pod, string name, JsonElement projected, string dir, IReadOnlyDictionary<string, string> tokens, IConfigSource config)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var ns = pod.Metadata.Namespace ?? "";
        foreach (var source in Sources(projected))
        {
            if (source.TryGetProperty("serviceAccountToken", out var tokenSource))
            {
                var path = tokenSource.TryGetProperty("path", out var p) ? p.GetString() ?? "token" : "token";
                if (!tokens.TryGetValue(name + "/" + path, out var token))
                {
                    return $"MountVolume.SetUp failed for volume \"{name}\" : failed to fetch token";
                }

                files[path] = Encoding.UTF8.GetBytes(token);
            }
            else if (source.TryGetProperty("configMap", out var cmSource))
            {
                var cmName = cmSource.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                var cm = config.GetConfigMap(ns, cmName);
                if (cm is null)
                {
                    if (Optional(cmSource))
                    {
                        continue;
                    }

                    return $"MountVolume.SetUp failed for volume \"{name}\" : configmap \"{cmName}\" not found";
                }

                AddItems(files, cmSource, (cm.Data ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetBytes(kv.Value)));
            }
            else if (source.TryGetProperty("secret", out var secretSource))
            {
                var secretName = secretSource.TryGetProperty("name", out var n) ? n.GetString() ?? "" : "";
                var secret = config.GetSecret(ns, secretName);
                if (secret is null)
                {
                    if (Optional(secretSource))
                    {
                        continue;
                    }

                    return $"MountVolume.SetUp failed for volume \"{name}\" : secret \"{secretName}\" not found";
                }

                AddItems(files, secretSource, (secret.Data ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => Convert.FromBase64String(kv.Value)));
            }
            else if (source.TryGetProperty("downwardAPI", out var downward) && downward.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    var path = item.TryGetProperty("path", out var p) ? p.GetString() : null;
                    var field = item.TryGetProperty("fieldRef", out var f) && f.TryGetProperty("fieldPath", out var fp) ? fp.GetString() : null;
                    var value = field switch
                    {
                        "metadata.namespace" => ns,
                        "metadata.name" => pod.Metadata.Name,
                        "metadata.uid" => pod.Metadata.Uid,
                        _ => null,
                    };
                    if (path is not null && value is not null)
                    {
                        files[path] = Encoding.UTF8.GetBytes(value);
                    }
                }
            }
        }

        Directory.CreateDirectory(dir);
        foreach (var (path, content) in files)
        {
            var target = Path.Combine(dir, path);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, content);
            if (!OperatingSystem.IsWindows())
            {
                // defaultMode 420 (0644).
                File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
        }

        return null;
    }

    private static IEnumerable<JsonElement> Sources(JsonElement projected) =>
        projected.TryGetProperty("sources", out var sources) && sources.ValueKind == JsonValueKind.Array ? sources.EnumerateArray() : [];

    private static bool Optional(JsonElement source) =>
        source.TryGetProperty("optional", out var o) && o.ValueKind == JsonValueKind.True;

    private static void AddItems(Dictionary<string, byte[]> files, JsonElement source, Dictionary<string, byte[]> data)
    {
        if (source.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in items.EnumerateArray())
            {
                var key = item.TryGetProperty("key", out var k) ? k.GetString() ?? "" : "";
                var path = item.TryGetProperty("path", out var p) ? p.GetString() ?? key : key;
                if (data.TryGetValue(key, out var content))
                {
                    files[path] = content;
                }
            }

            return;
        }

        foreach (var (key, content) in data)
        {
            files[key] = content;
        }
    }
}
