using DataMover.Kube.Models;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Unit;

public sealed class ClonePlannerTests
{
    [Fact]
    public void CloneInheritsClassModesVolumeModeAndTheLargerSize()
    {
        var clone = ClonePlanner.Build(TestObjects.DataMover(), TestObjects.Source(request: "1Gi", capacity: "2Gi"), "web-app-data-cloned-20240806143052");
        Assert.Equal("web-app-data-cloned-20240806143052", clone.Metadata.Name);
        Assert.Equal("default", clone.Metadata.Namespace);
        Assert.Equal("standard", clone.Spec!.StorageClassName);
        Assert.Equal(["ReadWriteMany"], clone.Spec.AccessModes!);
        Assert.Equal("Filesystem", clone.Spec.VolumeMode);
        Assert.Equal("2Gi", clone.Spec.Resources!.Requests!["storage"]);
        Assert.Equal("PersistentVolumeClaim", clone.Spec.DataSource!.Kind);
        Assert.Equal("web-app-data", clone.Spec.DataSource.Name);
    }

    [Theory]
    [InlineData("5Gi", "1Gi", "5Gi")]
    [InlineData("1000Mi", "1Gi", "1Gi")]
    [InlineData("3Gi", null, "3Gi")]
    public void SizeIsTheLargerOfRequestAndCapacity(string request, string? capacity, string expected) =>
        Assert.Equal(expected, ClonePlanner.Size(TestObjects.Source(request: request, capacity: capacity)));

    [Fact]
    public void CloneIsLabelledAndControlledByTheDataMover()
    {
        var dm = TestObjects.DataMover();
        var clone = ClonePlanner.Build(dm, TestObjects.Source(), "c");
        Assert.Equal("datamover-operator", clone.Metadata.Labels![DataMoverLabels.CreatedBy]);
        Assert.Equal("datamover-operator", clone.Metadata.Labels[DataMoverLabels.ManagedBy]);
        Assert.Equal("backup-web-data", clone.Metadata.Labels[DataMoverLabels.DataMoverName]);
        var owner = Assert.Single(clone.Metadata.OwnerReferences!);
        Assert.Equal((true, true, dm.Metadata.Uid), (owner.Controller!.Value, owner.BlockOwnerDeletion!.Value, owner.Uid));
        Assert.True(DataMoverLabels.IsOwnedBy(clone, dm));
    }

    [Fact]
    public void OwnershipNeedsLabelsAndControllerReference()
    {
        var dm = TestObjects.DataMover();
        var clone = ClonePlanner.Build(dm, TestObjects.Source(), "c");
        Assert.False(DataMoverLabels.IsOwnedBy(clone with { Metadata = clone.Metadata with { OwnerReferences = [] } }, dm));
        Assert.False(DataMoverLabels.IsOwnedBy(clone with { Metadata = clone.Metadata with { Labels = new Dictionary<string, string>() } }, dm));
        Assert.False(DataMoverLabels.IsOwnedBy(clone, dm with { Metadata = dm.Metadata with { Uid = "other" } }));
    }

    [Fact]
    public void CloneCapabilityRejectsWhatCannotClone()
    {
        Assert.NotNull(CloneCapability.WhyNot(null, null, "src"));
        Assert.Contains("no-provisioner", CloneCapability.WhyNot("local", Class("kubernetes.io/no-provisioner"), "src"), StringComparison.Ordinal);
        Assert.Contains("in-tree", CloneCapability.WhyNot("gp2", Class("kubernetes.io/aws-ebs"), "src"), StringComparison.Ordinal);
        Assert.Null(CloneCapability.WhyNot("standard", Class("ebs.csi.aws.com"), "src"));
        Assert.Null(CloneCapability.WhyNot("unknown", null, "src"));
    }

    private static StorageClass Class(string provisioner) => new() { Provisioner = provisioner, Metadata = new ObjectMeta { Name = "x" } };
}
