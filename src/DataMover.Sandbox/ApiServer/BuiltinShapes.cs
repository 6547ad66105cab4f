using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>
/// Known field names of the built-in structures the operator writes (pod specs, job specs, PVC
/// specs), so misspelt or mis-cased fields are dropped (or rejected under Strict) as typed
/// decoding does, instead of being stored. Structures not described here are not checked.
/// </summary>
internal static class BuiltinShapes
{
    private static readonly Shape Any = new([]);

    private static readonly Shape EnvVar = new(new() { ["name"] = null, ["value"] = null, ["valueFrom"] = Any });

    private static readonly Shape VolumeMount = new(new()
    {
        ["name"] = null, ["readOnly"] = null, ["recursiveReadOnly"] = null, ["mountPath"] = null, ["subPath"] = null, ["mountPropagation"] = null, ["subPathExpr"] = null,
    });

    private static readonly Shape Container = new(new()
    {
        ["name"] = null, ["image"] = null, ["command"] = null, ["args"] = null, ["workingDir"] = null, ["ports"] = Any, ["envFrom"] = Any, ["env"] = EnvVar,
        ["resources"] = Any, ["resizePolicy"] = Any, ["restartPolicy"] = null, ["volumeMounts"] = VolumeMount, ["volumeDevices"] = Any,
        ["livenessProbe"] = Any, ["readinessProbe"] = Any, ["startupProbe"] = Any, ["lifecycle"] = Any, ["terminationMessagePath"] = null,
        ["terminationMessagePolicy"] = null, ["imagePullPolicy"] = null, ["securityContext"] = Any, ["stdin"] = null, ["stdinOnce"] = null, ["tty"] = null,
    });

    private static readonly Shape Volume = new(new()
    {
        ["name"] = null, ["hostPath"] = Any, ["emptyDir"] = Any, ["gcePersistentDisk"] = Any, ["awsElasticBlockStore"] = Any, ["gitRepo"] = Any,
        ["secret"] = Any, ["nfs"] = Any, ["iscsi"] = Any, ["glusterfs"] = Any,
        ["persistentVolumeClaim"] = new Shape(new() { ["claimName"] = null, ["readOnly"] = null }),
        ["rbd"] = Any, ["flexVolume"] = Any, ["cinder"] = Any, ["cephfs"] = Any, ["flocker"] = Any, ["downwardAPI"] = Any, ["fc"] = Any,
        ["azureFile"] = Any, ["configMap"] = Any, ["vsphereVolume"] = Any, ["quobyte"] = Any, ["azureDisk"] = Any, ["photonPersistentDisk"] = Any,
        ["projected"] = Any, ["portworxVolume"] = Any, ["scaleIO"] = Any, ["storageos"] = Any, ["csi"] = Any, ["ephemeral"] = Any, ["image"] = Any,
    });

    private static readonly Shape PodSpec = new(new()
    {
        ["volumes"] = Volume, ["initContainers"] = Container, ["containers"] = Container, ["ephemeralContainers"] = Any, ["restartPolicy"] = null,
        ["terminationGracePeriodSeconds"] = null, ["activeDeadlineSeconds"] = null, ["dnsPolicy"] = null, ["nodeSelector"] = Any,
        ["serviceAccountName"] = null, ["serviceAccount"] = null, ["automountServiceAccountToken"] = null, ["nodeName"] = null, ["hostNetwork"] = null,
        ["hostPID"] = null, ["hostIPC"] = null, ["shareProcessNamespace"] = null, ["securityContext"] = Any, ["imagePullSecrets"] = Any,
        ["hostname"] = null, ["subdomain"] = null, ["affinity"] = Any, ["schedulerName"] = null, ["tolerations"] = Any, ["hostAliases"] = Any,
        ["priorityClassName"] = null, ["priority"] = null, ["dnsConfig"] = Any, ["readinessGates"] = Any, ["runtimeClassName"] = null,
        ["enableServiceLinks"] = null, ["preemptionPolicy"] = null, ["overhead"] = Any, ["topologySpreadConstraints"] = Any, ["setHostnameAsFQDN"] = null,
        ["os"] = Any, ["hostUsers"] = null, ["schedulingGates"] = Any, ["resourceClaims"] = Any, ["resources"] = Any,
    });

    private static readonly Shape PodTemplate = new(new() { ["metadata"] = Any, ["spec"] = PodSpec });

    private static readonly Dictionary<string, Shape> Specs = new(StringComparer.Ordinal)
    {
        ["/pods"] = PodSpec,
        ["batch/jobs"] = new(new()
        {
            ["parallelism"] = null, ["completions"] = null, ["activeDeadlineSeconds"] = null, ["podFailurePolicy"] = Any, ["successPolicy"] = Any,
            ["backoffLimit"] = null, ["backoffLimitPerIndex"] = null, ["maxFailedIndexes"] = null, ["selector"] = Any, ["manualSelector"] = null,
            ["template"] = PodTemplate, ["ttlSecondsAfterFinished"] = null, ["completionMode"] = null, ["suspend"] = null,
            ["podReplacementPolicy"] = null, ["managedBy"] = null,
        }),
        ["/persistentvolumeclaims"] = new(new()
        {
            ["accessModes"] = null, ["selector"] = Any, ["resources"] = new Shape(new() { ["limits"] = Any, ["requests"] = Any }),
            ["volumeName"] = null, ["storageClassName"] = null, ["volumeMode"] = null,
            ["dataSource"] = new Shape(new() { ["apiGroup"] = null, ["kind"] = null, ["name"] = null }),
            ["dataSourceRef"] = new Shape(new() { ["apiGroup"] = null, ["kind"] = null, ["name"] = null, ["namespace"] = null }),
            ["volumeAttributesClassName"] = null,
        }),
    };

    /// <summary>Removes unknown fields under spec, returning their paths.</summary>
    public static List<string> PruneSpec(ResourceType type, JsonObject obj)
    {
        var pruned = new List<string>();
        if (Specs.TryGetValue(type.Key, out var shape) && obj["spec"] is JsonObject spec)
        {
            Prune(spec, shape, "spec", pruned);
        }

        return pruned;
    }

    private static void Prune(JsonNode? node, Shape shape, string path, List<string> pruned)
    {
        if (ReferenceEquals(shape, Any))
        {
            return;
        }

        switch (node)
        {
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    Prune(list[i], shape, $"{path}[{i}]", pruned);
                }

                break;
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (!shape.Fields.TryGetValue(key, out var child))
                    {
                        obj.Remove(key);
                        pruned.Add($"{path}.{key}");
                    }
                    else if (child is not null)
                    {
                        Prune(value, child, $"{path}.{key}", pruned);
                    }
                }

                break;
        }
    }

    private sealed record Shape(Dictionary<string, Shape?> Fields);
}
