using DataMover.Kube.Models;
using DataMover.Operator.Api;
using Dm = DataMover.Operator.Api.DataMover;

namespace DataMover.Operator.Tests.Unit;

internal static class TestObjects
{
    public static Dm DataMover(string name = "backup-web-data", string ns = "default", DataMoverSpec? spec = null) => new()
    {
        ApiVersion = DataMoverResources.ApiVersion,
        Kind = "DataMover",
        Metadata = new ObjectMeta { Name = name, Namespace = ns, Uid = "0b5e7c1a-1111-2222-3333-444455556666", Generation = 1 },
        Spec = spec ?? new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials" },
    };

    public static PersistentVolumeClaim Source(string name = "web-app-data", string request = "1Gi", string? capacity = "2Gi") => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = "default", Uid = "src-uid" },
        Spec = new PersistentVolumeClaimSpec
        {
            StorageClassName = "standard",
            AccessModes = ["ReadWriteMany"],
            VolumeMode = "Filesystem",
            Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = request } },
        },
        Status = new PersistentVolumeClaimStatus
        {
            Phase = "Bound",
            Capacity = capacity is null ? null : new Dictionary<string, string> { ["storage"] = capacity },
        },
    };
}
