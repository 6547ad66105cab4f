namespace DataMover.Sandbox.ControlPlane;

/// <summary>Well-known annotation, label and finalizer names shared by the controllers and the node agent.</summary>
internal static class WellKnown
{
    public const string StorageProvisioner = "volume.kubernetes.io/storage-provisioner";
    public const string BetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";
    public const string SelectedNode = "volume.kubernetes.io/selected-node";
    public const string BindCompleted = "pv.kubernetes.io/bind-completed";
    public const string BoundByController = "pv.kubernetes.io/bound-by-controller";
    public const string ProvisionedBy = "pv.kubernetes.io/provisioned-by";
    public const string DefaultClass = "storageclass.kubernetes.io/is-default-class";
    public const string PvcProtection = "kubernetes.io/pvc-protection";
    public const string PvProtection = "kubernetes.io/pv-protection";
    public const string ForegroundDeletion = "foregroundDeletion";
    public const string OrphanFinalizer = "orphan";
    public const string JobNameLabel = "batch.kubernetes.io/job-name";
    public const string LegacyJobNameLabel = "job-name";
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";
    public const string LegacyControllerUidLabel = "controller-uid";
    public const string WaitForFirstConsumer = "WaitForFirstConsumer";

    public static bool IsTerminal(Kube.Models.Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";
}
