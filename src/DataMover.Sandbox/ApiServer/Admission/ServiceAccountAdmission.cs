using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Auth;

namespace DataMover.Sandbox.ApiServer.Admission;

/// <summary>
/// The ServiceAccount admission plugin (plugin/pkg/admission/serviceaccount) on pod create: the pod's
/// ServiceAccount must exist (403 `error looking up service account ns/sa: serviceaccount "sa" not found`), and unless
/// the pod or the ServiceAccount opts out with automountServiceAccountToken: false, a projected
/// `kube-api-access-xxxxx` volume (token, kube-root-ca.crt, namespace) is mounted read-only at
/// /var/run/secrets/kubernetes.io/serviceaccount in every container that mounts nothing there.
/// </summary>
internal static class ServiceAccountAdmission
{
    public const string MountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
    public const string RootCaConfigMap = "kube-root-ca.crt";

    /// <summary>The kubelet's bound-token lifetime (3607 s, so the apiserver can tell kubelet-minted tokens apart).</summary>
    public const long TokenExpirationSeconds = 3607;

    public static void Apply(JsonObject pod, ResourceStore store, string displayName)
    {
        var ns = JsonPaths.Namespace(pod) ?? "";
        var spec = JsonPaths.Ensure(pod, "spec");
        var saName = JsonPaths.Str(spec, "serviceAccountName") is { Length: > 0 } n ? n : "default";
        spec["serviceAccountName"] = saName;
        var sa = store.Get("/serviceaccounts", ns, saName)
            ?? throw Forbidden.Of("", "pods", displayName, $"error looking up service account {ns}/{saName}: serviceaccount \"{saName}\" not found");

        var automount = JsonPaths.Bool(spec, "automountServiceAccountToken") ?? JsonPaths.Bool(sa, "automountServiceAccountToken") ?? true;
        if (!automount)
        {
            return;
        }

        var containers = (JsonPaths.Arr(spec, "initContainers") ?? []).Concat(JsonPaths.Arr(spec, "containers") ?? []).OfType<JsonObject>().ToList();
        if (containers.All(c => (JsonPaths.Arr(c, "volumeMounts") ?? []).Any(m => JsonPaths.Str(m, "mountPath") == MountPath)))
        {
            return;
        }

        var volumeName = GeneratedName.From("kube-api-access-");
        var volumes = spec["volumes"] as JsonArray ?? [];
        spec["volumes"] = volumes;
        volumes.Add(new JsonObject
        {
            ["name"] = volumeName,
            ["projected"] = new JsonObject
            {
                ["sources"] = new JsonArray(
                    new JsonObject { ["serviceAccountToken"] = new JsonObject { ["expirationSeconds"] = TokenExpirationSeconds, ["path"] = "token" } },
                    new JsonObject
                    {
                        ["configMap"] = new JsonObject
                        {
                            ["name"] = RootCaConfigMap,
                            ["items"] = new JsonArray(new JsonObject { ["key"] = "ca.crt", ["path"] = "ca.crt" }),
                        },
                    },
                    new JsonObject
                    {
                        ["downwardAPI"] = new JsonObject
                        {
                            ["items"] = new JsonArray(new JsonObject
                            {
                                ["path"] = "namespace",
                                ["fieldRef"] = new JsonObject { ["apiVersion"] = "v1", ["fieldPath"] = "metadata.namespace" },
                            }),
                        },
                    }),
                ["defaultMode"] = 420,
            },
        });
        foreach (var container in containers)
        {
            var mounts = container["volumeMounts"] as JsonArray ?? [];
            if (mounts.Any(m => JsonPaths.Str(m, "mountPath") == MountPath))
            {
                continue;
            }

            container["volumeMounts"] = mounts;
            mounts.Add(new JsonObject { ["name"] = volumeName, ["readOnly"] = true, ["mountPath"] = MountPath });
        }
    }
}
