using DataMover.Kube.Models;

namespace DataMover.Operator.Controllers;

/// <summary>Decides from the storage class whether a clone can ever be provisioned.</summary>
internal static class CloneCapability
{
    public const string NoProvisioner = "kubernetes.io/no-provisioner";

    /// <summary>Null when cloning may work; otherwise why it never will.</summary>
    public static string? WhyNot(string? storageClassName, StorageClass? storageClass, string sourcePvc)
    {
        if (string.IsNullOrEmpty(storageClassName))
        {
            return $"source PVC \"{sourcePvc}\" has no storage class; cloning needs a CSI storage class that supports volume cloning";
        }

        if (storageClass is null)
        {
            return null;
        }

        var provisioner = storageClass.Provisioner;
        if (provisioner == NoProvisioner)
        {
            return $"storage class \"{storageClassName}\" has no provisioner ({NoProvisioner}); cloning needs a CSI storage class that supports volume cloning";
        }

        // In-tree provisioners (kubernetes.io/aws-ebs, kubernetes.io/gce-pd, ...) never implemented dataSource cloning.
        if (provisioner.StartsWith("kubernetes.io/", StringComparison.Ordinal))
        {
            return $"storage class \"{storageClassName}\" uses the in-tree provisioner \"{provisioner}\", which cannot clone volumes; use a CSI storage class that supports volume cloning";
        }

        return null;
    }
}
