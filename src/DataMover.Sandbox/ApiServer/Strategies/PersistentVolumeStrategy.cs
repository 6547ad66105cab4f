using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>PVs: reclaim policy and volume mode defaults, Pending status, pv-protection finalizer.</summary>
internal sealed class PersistentVolumeStrategy : ResourceStrategy
{
    public const string ProtectionFinalizer = "kubernetes.io/pv-protection";
    private static readonly string[] Sources = ["hostPath", "csi", "local", "nfs", "iscsi", "fc", "awsElasticBlockStore", "gcePersistentDisk", "azureDisk", "azureFile", "cephfs", "rbd", "cinder", "flexVolume", "glusterfs", "portworxVolume", "vsphereVolume", "storageos", "scaleIO", "quobyte", "photonPersistentDisk", "flocker"];

    public override void PrepareForCreate(ResourceType type, JsonObject obj)
    {
        var spec = JsonPaths.Ensure(obj, "spec");
        JsonPaths.SetDefault(spec, "persistentVolumeReclaimPolicy", "Retain");
        JsonPaths.SetDefault(spec, "volumeMode", "Filesystem");
        obj["status"] = new JsonObject { ["phase"] = "Pending", ["lastPhaseTransitionTime"] = JsonPaths.Now() };
        var finalizers = JsonPaths.Finalizers(obj);
        if (!finalizers.Contains(ProtectionFinalizer))
        {
            finalizers.Add(ProtectionFinalizer);
            JsonPaths.SetFinalizers(obj, finalizers);
        }
    }

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var spec = JsonPaths.Obj(obj, "spec");
        if (JsonPaths.Node(spec, "capacity", "storage") is null)
        {
            errors.Add(FieldError.Required("spec.capacity"));
        }

        if (JsonPaths.Arr(spec, "accessModes") is not { Count: > 0 })
        {
            errors.Add(FieldError.Required("spec.accessModes"));
        }

        if (!Sources.Any(s => spec?[s] is not null))
        {
            errors.Add(FieldError.Required("spec", "must specify a volume type"));
        }

        var policy = JsonPaths.Str(spec, "persistentVolumeReclaimPolicy");
        if (policy is not null and not ("Retain" or "Delete" or "Recycle"))
        {
            errors.Add(FieldError.NotSupported("spec.persistentVolumeReclaimPolicy", JsonValue.Create(policy), ["Delete", "Recycle", "Retain"]));
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        var now = JsonPaths.Obj(obj, "spec");
        var before = JsonPaths.Obj(old, "spec");
        if (Sources.Any(s => !JsonNode.DeepEquals(now?[s], before?[s])))
        {
            errors.Add(FieldError.Forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"));
        }

        if (!JsonNode.DeepEquals(now?["volumeMode"], before?["volumeMode"]))
        {
            errors.Add(FieldError.Immutable("volumeMode", now?["volumeMode"]));
        }
    }
}
