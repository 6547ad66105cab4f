using System.Text;
using System.Text.RegularExpressions;
using DataMover.Kube.Models;

namespace DataMover.Sandbox.Node;

/// <summary>
/// Builds a container's environment the way the kubelet's makeEnvironmentVariables does: image defaults, then
/// envFrom sources in order (prefixed, invalid names skipped), then env entries in order with $(VAR) expansion
/// against what is defined so far; secretKeyRef/configMapKeyRef/fieldRef/resourceFieldRef resolved, optional
/// honoured. Nothing comes from the host.
/// </summary>
internal sealed partial class EnvResolver
{
    private readonly IConfigSource _config;

    public EnvResolver(IConfigSource config) => _config = config;

    /// <summary>Names skipped from envFrom sources because they are not valid variable names, for the warning event.</summary>
    public List<string> SkippedWarnings { get; } = [];

    /// <summary>Returns the environment in definition order (later definitions replace earlier ones in place).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Resolve(Pod pod, Container container, IReadOnlyList<KeyValuePair<string, string>> imageDefaults, NodeResources node)
    {
        var ns = pod.Metadata.Namespace ?? "default";
        var env = new OrderedEnv();
        foreach (var (k, v) in imageDefaults)
        {
            env.Set(k, v);
        }

        foreach (var source in container.EnvFrom ?? [])
        {
            var prefix = source.Prefix ?? "";
            IReadOnlyDictionary<string, string>? data = null;
            string kind;
            string name;
            if (source.ConfigMapRef is { } cmRef)
            {
                kind = "configMap";
                name = cmRef.Name ?? "";
                var cm = _config.GetConfigMap(ns, name);
                if (cm is null)
                {
                    if (cmRef.Optional == true)
                    {
                        continue;
                    }

                    throw new EnvResolutionException($"configmap \"{name}\" not found");
                }

                data = cm.Data ?? new Dictionary<string, string>();
            }
            else if (source.SecretRef is { } secretRef)
            {
                kind = "secret";
                name = secretRef.Name ?? "";
                var secret = _config.GetSecret(ns, name);
                if (secret is null)
                {
                    if (secretRef.Optional == true)
                    {
                        continue;
                    }

                    throw new EnvResolutionException($"secret \"{name}\" not found");
                }

                data = (secret.Data ?? new Dictionary<string, string>()).ToDictionary(kv => kv.Key, kv => Decode(kv.Value));
            }
            else
            {
                continue;
            }

            var invalid = new List<string>();
            foreach (var (key, value) in data.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                var varName = prefix + key;
                if (!IsEnvVarName(varName))
                {
                    invalid.Add(varName);
                    continue;
                }

                env.Set(varName, value);
            }

            if (invalid.Count > 0)
            {
                SkippedWarnings.Add($"Keys [{string.Join(", ", invalid)}] from the EnvFrom {kind} {ns}/{name} were skipped since they are considered invalid environment variable names.");
            }
        }

        foreach (var e in container.Env ?? [])
        {
            if (e.ValueFrom is not { } from)
            {
                env.Set(e.Name, EnvExpansion.Expand(e.Value ?? "", env.Get));
                continue;
            }

            var value = ResolveSource(pod, container, ns, from, node);
            if (value is not null)
            {
                env.Set(e.Name, value);
            }
        }

        return env.Items;
    }

    private string? ResolveSource(Pod pod, Container container, string ns, EnvVarSource from, NodeResources node)
    {
        if (from.SecretKeyRef is { } sk)
        {
            var secret = _config.GetSecret(ns, sk.Name);
            if (secret is null)
            {
                return sk.Optional == true ? null : throw new EnvResolutionException($"secret \"{sk.Name}\" not found");
            }

            if (secret.Data?.TryGetValue(sk.Key, out var raw) != true)
            {
                return sk.Optional == true ? null : throw new EnvResolutionException($"couldn't find key {sk.Key} in Secret {ns}/{sk.Name}");
            }

            return Decode(raw!);
        }

        if (from.ConfigMapKeyRef is { } ck)
        {
            var cm = _config.GetConfigMap(ns, ck.Name);
            if (cm is null)
            {
                return ck.Optional == true ? null : throw new EnvResolutionException($"configmap \"{ck.Name}\" not found");
            }

            if (cm.Data?.TryGetValue(ck.Key, out var v) != true)
            {
                return ck.Optional == true ? null : throw new EnvResolutionException($"couldn't find key {ck.Key} in ConfigMap {ns}/{ck.Name}");
            }

            return v;
        }

        if (from.FieldRef is { } field)
        {
            return FieldValue(pod, field.FieldPath);
        }

        if (from.ResourceFieldRef is { } resource)
        {
            return ResourceValue(container, resource, node);
        }

        return "";
    }

    internal static string FieldValue(Pod pod, string path)
    {
        var m = LabelPath().Match(path);
        if (m.Success)
        {
            var map = m.Groups[1].Value == "labels" ? pod.Metadata.Labels : pod.Metadata.Annotations;
            return map is not null && map.TryGetValue(m.Groups[2].Value, out var v) ? v : "";
        }

        return path switch
        {
            "metadata.name" => pod.Metadata.Name ?? "",
            "metadata.namespace" => pod.Metadata.Namespace ?? "",
            "metadata.uid" => pod.Metadata.Uid ?? "",
            "spec.nodeName" => pod.Spec?.NodeName ?? "",
            "spec.serviceAccountName" => pod.Spec?.ServiceAccountName ?? "default",
            "status.podIP" or "status.podIPs" => pod.Status?.PodIp ?? NodeResources.LoopbackIp,
            "status.hostIP" or "status.hostIPs" => pod.Status?.HostIp ?? NodeResources.LoopbackIp,
            _ => throw new EnvResolutionException($"unsupported fieldPath: {path}"),
        };
    }

    private static string ResourceValue(Container container, ResourceFieldSelector selector, NodeResources node)
    {
        var (kind, resource) = selector.Resource.Split('.', 2) is [var a, var b] ? (a, b) : ("limits", selector.Resource);
        var map = kind == "requests" ? container.Resources?.Requests : container.Resources?.Limits;
        var divisor = Quantity.TryParse(selector.Divisor, out var d) && d > 0 ? d : 1m;
        decimal value;
        if (map is not null && map.TryGetValue(resource, out var q) && Quantity.TryParse(q, out var parsed))
        {
            value = parsed;
        }
        else
        {
            // No limit set: the kubelet reports node allocatable; no request: zero.
            value = kind == "requests" ? 0 : resource switch
            {
                "cpu" => node.Cpu,
                "memory" => node.MemoryBytes,
                _ => 0,
            };
        }

        return decimal.Ceiling(value / divisor).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static bool IsEnvVarName(string name) => EnvVarName().IsMatch(name);

    private static string Decode(string base64)
    {
        try
        {
            return Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        }
        catch (FormatException)
        {
            return base64;
        }
    }

    [GeneratedRegex("^[-._a-zA-Z][-._a-zA-Z0-9]*$")]
    private static partial Regex EnvVarName();

    [GeneratedRegex(@"^metadata\.(labels|annotations)\['(.+)'\]$")]
    private static partial Regex LabelPath();

    private sealed class OrderedEnv
    {
        private readonly List<KeyValuePair<string, string>> _items = [];
        private readonly Dictionary<string, int> _index = [];

        public IReadOnlyList<KeyValuePair<string, string>> Items => _items;

        public string? Get(string name) => _index.TryGetValue(name, out var i) ? _items[i].Value : null;

        public void Set(string name, string value)
        {
            if (_index.TryGetValue(name, out var i))
            {
                _items[i] = new(name, value);
            }
            else
            {
                _index[name] = _items.Count;
                _items.Add(new(name, value));
            }
        }
    }
}
