using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Kube.Tests;

/// <summary>
/// A watch BOOKMARK carries an object with nothing but kind, apiVersion and metadata.resourceVersion.
/// Every model must accept it (and any other object with fields omitted), or one bookmark stalls an informer.
/// </summary>
public sealed class BookmarkShapeTests
{
    [Fact]
    public void Every_built_in_type_deserializes_a_bookmark()
    {
        Check(KubeResources.Namespaces);
        Check(KubeResources.PersistentVolumeClaims);
        Check(KubeResources.PersistentVolumes);
        Check(KubeResources.Secrets);
        Check(KubeResources.ConfigMaps);
        Check(KubeResources.Pods);
        Check(KubeResources.Events);
        Check(KubeResources.Nodes);
        Check(KubeResources.Jobs);
        Check(KubeResources.Leases);
        Check(KubeResources.StorageClasses);
        Check(KubeResources.CsiDrivers);
        Check(KubeResources.CustomResourceDefinitions);
        Check(KubeResources.VolumeSnapshots);
    }

    [Fact]
    public void Nested_objects_with_omitted_fields_deserialize()
    {
        var pod = JsonSerializer.Deserialize("""{"spec":{"containers":[{"image":"x"}],"volumes":[{}]},"status":{"containerStatuses":[{}]}}""", Json.KubeJsonContext.Default.Pod)!;
        Assert.Equal("x", pod.Spec!.Containers[0].Image);
        var job = JsonSerializer.Deserialize("""{"spec":{"backoffLimit":2},"status":{"conditions":[{}]}}""", Json.KubeJsonContext.Default.Job)!;
        Assert.Equal(2, job.Spec!.BackoffLimit);
    }

    private static void Check<T>(ResourceType<T> type) where T : KubeObject
    {
        var json = $$$"""{"kind":"{{{type.Kind}}}","apiVersion":"{{{type.ApiVersion}}}","metadata":{"resourceVersion":"42"}}""";
        var obj = JsonSerializer.Deserialize(json, type.TypeInfo)!;
        Assert.Equal("42", obj.Metadata.ResourceVersion);
    }
}
