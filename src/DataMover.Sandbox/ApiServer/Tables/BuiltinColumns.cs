using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Tables;

/// <summary>Columns of the server-side printers for built-in kinds (pkg/printers/internalversion), as of 1.32.</summary>
internal static class BuiltinColumns
{
    private const string None = "<none>";

    public static IReadOnlyList<TableColumn>? For(string storageKey) => storageKey switch
    {
        "/pods" =>
        [
            Col("Ready", "The aggregate readiness state of this pod for accepting traffic.", o => $"{ReadyCount(o)}/{(JsonPaths.Arr(o, "spec", "containers")?.Count ?? 0)}"),
            Col("Status", "The aggregate status of the containers in this pod.", PodStatus),
            Col("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.", o => (JsonPaths.Arr(o, "status", "containerStatuses") ?? []).Sum(c => JsonPaths.Long(c, "restartCount") ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Age(),
            Col("IP", "The IP address assigned to the pod", o => JsonPaths.Str(o, "status", "podIP") ?? None, 1),
            Col("Node", "The name of the node the pod is assigned to", o => OrNone(JsonPaths.Str(o, "spec", "nodeName")), 1),
            Col("Nominated Node", "The name of the node nominated for this pod", o => OrNone(JsonPaths.Str(o, "status", "nominatedNodeName")), 1),
            Col("Readiness Gates", "Pod readiness gates", o => None, 1),
        ],
        "/persistentvolumeclaims" =>
        [
            Col("Status", "The aggregate status of the PVC", o => JsonPaths.IsDeleting(o) ? "Terminating" : JsonPaths.Str(o, "status", "phase") ?? ""),
            Col("Volume", "The volume bound to the PVC", o => JsonPaths.Str(o, "spec", "volumeName") ?? ""),
            Col("Capacity", "The capacity of the PVC", o => string.IsNullOrEmpty(JsonPaths.Str(o, "spec", "volumeName")) ? "" : JsonPaths.Str(o, "status", "capacity", "storage") ?? ""),
            Col("Access Modes", "The access modes of the PVC", o => string.IsNullOrEmpty(JsonPaths.Str(o, "spec", "volumeName")) ? "" : AccessModes(JsonPaths.Arr(o, "status", "accessModes"))),
            Col("StorageClass", "The storage class of the PVC", o => JsonPaths.Str(o, "spec", "storageClassName") ?? ""),
            Col("VolumeAttributesClass", "The volume attributes class of the PVC", o => JsonPaths.Str(o, "spec", "volumeAttributesClassName") ?? "<unset>"),
            Age(),
            Col("VolumeMode", "The volume mode of the PVC", o => JsonPaths.Str(o, "spec", "volumeMode") ?? "", 1),
        ],
        "/persistentvolumes" =>
        [
            Col("Capacity", "The capacity of the PV", o => JsonPaths.Str(o, "spec", "capacity", "storage") ?? ""),
            Col("Access Modes", "The access modes of the PV", o => AccessModes(JsonPaths.Arr(o, "spec", "accessModes"))),
            Col("Reclaim Policy", "The reclaim policy of the PV", o => JsonPaths.Str(o, "spec", "persistentVolumeReclaimPolicy") ?? ""),
            Col("Status", "The status of the PV", o => JsonPaths.IsDeleting(o) ? "Terminating" : JsonPaths.Str(o, "status", "phase") ?? ""),
            Col("Claim", "The claim bound to the PV", o => JsonPaths.Obj(o, "spec", "claimRef") is { } c ? $"{JsonPaths.Str(c, "namespace")}/{JsonPaths.Str(c, "name")}" : ""),
            Col("StorageClass", "The storage class of the PV", o => JsonPaths.Str(o, "spec", "storageClassName") ?? ""),
            Col("VolumeAttributesClass", "The volume attributes class of the PV", o => JsonPaths.Str(o, "spec", "volumeAttributesClassName") ?? "<unset>"),
            Col("Reason", "The reason for the PV's status", o => JsonPaths.Str(o, "status", "reason") ?? ""),
            Age(),
            Col("VolumeMode", "The volume mode of the PV", o => JsonPaths.Str(o, "spec", "volumeMode") ?? "", 1),
        ],
        "batch/jobs" =>
        [
            Col("Status", "Status of the job.", JobStatus),
            Col("Completions", "The desired number of successfully finished pods the job should be run with.", JobCompletions),
            Col("Duration", "Time required to complete the job.", JobDuration),
            Age(),
            Col("Containers", "Names of each container in the template.", o => string.Join(",", Containers(o, "spec", "template", "spec").Select(c => JsonPaths.Str(c, "name"))), 1),
            Col("Images", "Images referenced by each container in the template.", o => string.Join(",", Containers(o, "spec", "template", "spec").Select(c => JsonPaths.Str(c, "image"))), 1),
            Col("Selector", "Selector for the job.", o => Selector(JsonPaths.Obj(o, "spec", "selector")), 1),
        ],
        "/events" =>
        [
            Col("Last Seen", "Time when last this event has occurred", o => HumanDuration.Since(JsonPaths.Str(o, "lastTimestamp") ?? JsonPaths.Str(o, "eventTime") ?? JsonPaths.Str(o, "firstTimestamp") ?? JsonPaths.Str(o, "metadata", "creationTimestamp"))),
            Col("Type", "Type of this event", o => JsonPaths.Str(o, "type") ?? ""),
            Col("Reason", "Reason why this event was generated", o => JsonPaths.Str(o, "reason") ?? ""),
            Col("Object", "Object this event is about", o => $"{(JsonPaths.Str(o, "involvedObject", "kind") ?? "").ToLowerInvariant()}/{JsonPaths.Str(o, "involvedObject", "name")}"),
            Col("Subobject", "Subobject this event is about", o => JsonPaths.Str(o, "involvedObject", "fieldPath") ?? "", 1),
            Col("Source", "Event source", o => JsonPaths.Str(o, "source", "component") ?? JsonPaths.Str(o, "reportingComponent") ?? "", 1),
            Col("Message", "A human-readable description of the status of this operation.", o => JsonPaths.Str(o, "message") ?? ""),
            Col("First Seen", "Time when this event was first observed", o => HumanDuration.Since(JsonPaths.Str(o, "firstTimestamp") ?? JsonPaths.Str(o, "eventTime")), 1),
            Col("Count", "Number of times this event has occurred", o => JsonValue.Create(JsonPaths.Long(o, "count") ?? 1), 1, "integer"),
            Col("Name", "Name of this event", o => JsonPaths.Name(o), 1),
        ],
        "/services" =>
        [
            Col("Type", "The type of the service", o => JsonPaths.Str(o, "spec", "type") ?? ""),
            Col("Cluster-IP", "The cluster IP of the service", o => OrNone(JsonPaths.Str(o, "spec", "clusterIP"))),
            Col("External-IP", "The external IP of the service", o => JsonPaths.Str(o, "spec", "type") == "LoadBalancer" ? "<pending>" : None),
            Col("Port(s)", "The ports of the service", o => ServicePorts(o)),
            Age(),
            Col("Selector", "The selector of the service", o => Selector(new JsonObject { ["matchLabels"] = JsonPaths.Node(o, "spec", "selector")?.DeepClone() }), 1),
        ],
        "/namespaces" =>
        [
            Col("Status", "The status of the namespace", o => JsonPaths.Str(o, "status", "phase") ?? ""),
            Age(),
        ],
        "/nodes" =>
        [
            Col("Status", "The status of the node", NodeStatus),
            Col("Roles", "The roles of the node", o => None),
            Age(),
            Col("Version", "Kubelet Version reported by the node.", o => JsonPaths.Str(o, "status", "nodeInfo", "kubeletVersion") ?? ""),
            Col("Internal-IP", "List of internal IPs for the node.", o => NodeAddress(o, "InternalIP"), 1),
            Col("External-IP", "List of external IPs for the node.", o => NodeAddress(o, "ExternalIP"), 1),
            Col("OS-Image", "OS image reported by the node.", o => JsonPaths.Str(o, "status", "nodeInfo", "osImage") ?? "<unknown>", 1),
            Col("Kernel-Version", "Kernel version reported by the node.", o => JsonPaths.Str(o, "status", "nodeInfo", "kernelVersion") ?? "<unknown>", 1),
            Col("Container-Runtime", "Container runtime version reported by the node.", o => JsonPaths.Str(o, "status", "nodeInfo", "containerRuntimeVersion") ?? "<unknown>", 1),
        ],
        "/configmaps" =>
        [
            Col("Data", "Number of data in configmap", o => JsonValue.Create((JsonPaths.Obj(o, "data")?.Count ?? 0) + (JsonPaths.Obj(o, "binaryData")?.Count ?? 0)), 0, "integer"),
            Age(),
        ],
        "/secrets" =>
        [
            Col("Type", "The type of the secret", o => JsonPaths.Str(o, "type") ?? ""),
            Col("Data", "The number of data in the secret", o => JsonValue.Create(JsonPaths.Obj(o, "data")?.Count ?? 0), 0, "integer"),
            Age(),
        ],
        "/serviceaccounts" =>
        [
            Col("Secrets", "The number of secrets attached to the service account", o => JsonValue.Create(JsonPaths.Arr(o, "secrets")?.Count ?? 0), 0, "integer"),
            Age(),
        ],
        "storage.k8s.io/storageclasses" =>
        [
            Col("Provisioner", "Indicates the type of the provisioner.", o => JsonPaths.Str(o, "provisioner") ?? ""),
            Col("ReclaimPolicy", "Indicates the type of the reclaim policy.", o => JsonPaths.Str(o, "reclaimPolicy") ?? "Delete"),
            Col("VolumeBindingMode", "Indicates the mode of the volume binding.", o => JsonPaths.Str(o, "volumeBindingMode") ?? "Immediate"),
            Col("AllowVolumeExpansion", "Indicates whether the storageclass allows volume expand.", o => JsonValue.Create(JsonPaths.Bool(o, "allowVolumeExpansion") ?? false), 0, "boolean"),
            Age(),
        ],
        "storage.k8s.io/csidrivers" =>
        [
            Col("AttachRequired", "Indicates this CSI volume driver requires an attach operation.", o => JsonValue.Create(JsonPaths.Bool(o, "spec", "attachRequired") ?? true), 0, "boolean"),
            Col("PodInfoOnMount", "Indicates this CSI volume driver requires additional pod information during mount operations.", o => JsonValue.Create(JsonPaths.Bool(o, "spec", "podInfoOnMount") ?? false), 0, "boolean"),
            Col("StorageCapacity", "Indicates this CSI volume driver wants pod scheduling to consider the storage capacity.", o => JsonValue.Create(JsonPaths.Bool(o, "spec", "storageCapacity") ?? false), 0, "boolean"),
            Col("TokenRequests", "Indicates this CSI volume driver requires the pods' service account tokens.", o => JsonPaths.Arr(o, "spec", "tokenRequests") is { Count: > 0 } t ? string.Join(",", t.Select(x => JsonPaths.Str(x, "audience"))) : None),
            Col("RequiresRepublish", "Indicates this CSI volume driver requires NodePublishVolume being periodically called.", o => JsonValue.Create(JsonPaths.Bool(o, "spec", "requiresRepublish") ?? false), 0, "boolean"),
            Col("Modes", "Indicates volume modes supported by this driver.", o => string.Join(",", (JsonPaths.Arr(o, "spec", "volumeLifecycleModes") ?? []).Select(m => m?.GetValue<string>()))),
            Age(),
        ],
        "coordination.k8s.io/leases" =>
        [
            Col("Holder", "The holder of the lease", o => JsonPaths.Str(o, "spec", "holderIdentity") ?? ""),
            Age(),
        ],
        _ => null,
    };

    public static TableColumn Age() =>
        new("Age", "string", "", "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata", 0,
            o => HumanDuration.Since(JsonPaths.Str(o, "metadata", "creationTimestamp")));

    private static TableColumn Col(string name, string description, Func<JsonObject, JsonNode?> cell, int priority = 0, string type = "string") =>
        new(name, type, "", description, priority, cell);

    private static TableColumn Col(string name, string description, Func<JsonObject, string> cell, int priority = 0) =>
        new(name, "string", "", description, priority, o => JsonValue.Create(cell(o)));

    private static string OrNone(string? value) => string.IsNullOrEmpty(value) ? None : value;

    private static IEnumerable<JsonObject> Containers(JsonObject o, params string[] specPath) =>
        (JsonPaths.Arr(JsonPaths.Obj(o, specPath), "containers") ?? []).OfType<JsonObject>();

    private static int ReadyCount(JsonObject o) =>
        (JsonPaths.Arr(o, "status", "containerStatuses") ?? []).Count(c => JsonPaths.Bool(c, "ready") == true);

    private static string PodStatus(JsonObject o)
    {
        var reason = JsonPaths.Str(o, "status", "reason") ?? JsonPaths.Str(o, "status", "phase") ?? "";
        var hasRunning = false;
        foreach (var c in (JsonPaths.Arr(o, "status", "containerStatuses") ?? []).Reverse())
        {
            if (JsonPaths.Str(c, "state", "waiting", "reason") is { Length: > 0 } waiting)
            {
                reason = waiting;
            }
            else if (JsonPaths.Obj(c, "state", "terminated") is { } terminated)
            {
                reason = JsonPaths.Str(terminated, "reason") is { Length: > 0 } r ? r
                    : JsonPaths.Long(terminated, "signal") is { } signal and not 0 ? $"Signal:{signal}"
                    : $"ExitCode:{JsonPaths.Long(terminated, "exitCode") ?? 0}";
            }
            else if (JsonPaths.Obj(c, "state", "running") is not null && JsonPaths.Bool(c, "ready") == true)
            {
                hasRunning = true;
            }
        }

        if (reason == "Completed" && hasRunning)
        {
            reason = "Running";
        }

        if (JsonPaths.IsDeleting(o))
        {
            reason = JsonPaths.Str(o, "status", "reason") == "NodeLost" ? "Unknown" : "Terminating";
        }

        return reason;
    }

    private static bool HasCondition(JsonObject o, string type) =>
        (JsonPaths.Arr(o, "status", "conditions") ?? []).Any(c => JsonPaths.Str(c, "type") == type && JsonPaths.Str(c, "status") == "True");

    private static string JobStatus(JsonObject o)
    {
        if (HasCondition(o, "Complete"))
        {
            return "Complete";
        }

        if (HasCondition(o, "Failed"))
        {
            return "Failed";
        }

        if (JsonPaths.IsDeleting(o))
        {
            return "Terminating";
        }

        if (HasCondition(o, "SuccessCriteriaMet"))
        {
            return "SuccessCriteriaMet";
        }

        if (HasCondition(o, "FailureTarget"))
        {
            return "FailureTarget";
        }

        return HasCondition(o, "Suspended") ? "Suspended" : "Running";
    }

    private static string JobCompletions(JsonObject o)
    {
        var succeeded = JsonPaths.Long(o, "status", "succeeded") ?? 0;
        return JsonPaths.Long(o, "spec", "completions") is { } completions
            ? $"{succeeded}/{completions}"
            : $"{succeeded}/1 of {JsonPaths.Long(o, "spec", "parallelism") ?? 1}";
    }

    private static string JobDuration(JsonObject o)
    {
        var start = JsonPaths.Str(o, "status", "startTime");
        if (start is null || !DateTimeOffset.TryParse(start, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var started))
        {
            return "";
        }

        var end = JsonPaths.Str(o, "status", "completionTime") is { } c && DateTimeOffset.TryParse(c, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var completed)
            ? completed
            : DateTimeOffset.UtcNow;
        return HumanDuration.Format(end - started);
    }

    private static string Selector(JsonObject? selector)
    {
        var labels = JsonPaths.StringMap(selector?["matchLabels"]);
        return labels.Count == 0 ? None : string.Join(",", labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}"));
    }

    private static string ServicePorts(JsonObject o)
    {
        var ports = JsonPaths.Arr(o, "spec", "ports") ?? [];
        if (ports.Count == 0)
        {
            return None;
        }

        return string.Join(",", ports.Select(p =>
            JsonPaths.Long(p, "nodePort") is { } nodePort
                ? $"{JsonPaths.Long(p, "port")}:{nodePort}/{JsonPaths.Str(p, "protocol") ?? "TCP"}"
                : $"{JsonPaths.Long(p, "port")}/{JsonPaths.Str(p, "protocol") ?? "TCP"}"));
    }

    private static string AccessModes(JsonArray? modes)
    {
        if (modes is null)
        {
            return "";
        }

        var set = modes.Select(m => m?.GetValue<string>()).ToHashSet();
        var result = new List<string>();
        foreach (var (mode, abbreviation) in new[] { ("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP") })
        {
            if (set.Contains(mode))
            {
                result.Add(abbreviation);
            }
        }

        return string.Join(",", result);
    }

    private static string NodeStatus(JsonObject o)
    {
        var ready = (JsonPaths.Arr(o, "status", "conditions") ?? []).FirstOrDefault(c => JsonPaths.Str(c, "type") == "Ready");
        var status = JsonPaths.Str(ready, "status") switch { "True" => "Ready", "False" => "NotReady", _ => "Unknown" };
        return JsonPaths.Bool(o, "spec", "unschedulable") == true ? status + ",SchedulingDisabled" : status;
    }

    private static string NodeAddress(JsonObject o, string type) =>
        (JsonPaths.Arr(o, "status", "addresses") ?? []).FirstOrDefault(a => JsonPaths.Str(a, "type") == type) is { } a
            ? JsonPaths.Str(a, "address") ?? None
            : None;
}
