using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>
/// snapshot.storage.k8s.io is not built into Kubernetes: clusters install the external-snapshotter
/// CRDs. The sandbox installs condensed versions of them at start, so they behave like CRDs
/// (merge patch only, generation, status subresource, listed by `kubectl get crd`).
/// </summary>
internal static class SnapshotCrds
{
    public static IEnumerable<JsonObject> Create()
    {
        yield return (JsonObject)JsonNode.Parse(VolumeSnapshot)!;
        yield return (JsonObject)JsonNode.Parse(VolumeSnapshotClass)!;
        yield return (JsonObject)JsonNode.Parse(VolumeSnapshotContent)!;
    }

    private const string VolumeSnapshot = """
    {
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
      "metadata": { "name": "volumesnapshots.snapshot.storage.k8s.io", "annotations": { "api-approved.kubernetes.io": "https://github.com/kubernetes-csi/external-snapshotter/pull/814" } },
      "spec": {
        "group": "snapshot.storage.k8s.io", "scope": "Namespaced",
        "names": { "kind": "VolumeSnapshot", "listKind": "VolumeSnapshotList", "plural": "volumesnapshots", "singular": "volumesnapshot", "shortNames": ["vs"] },
        "versions": [{
          "name": "v1", "served": true, "storage": true, "subresources": { "status": {} },
          "additionalPrinterColumns": [
            { "name": "ReadyToUse", "type": "boolean", "jsonPath": ".status.readyToUse", "description": "Indicates if the snapshot is ready to be used to restore a volume." },
            { "name": "SourcePVC", "type": "string", "jsonPath": ".spec.source.persistentVolumeClaimName", "description": "If a new snapshot needs to be created, this contains the name of the source PVC from which this snapshot was (or will be) created." },
            { "name": "SourceSnapshotContent", "type": "string", "jsonPath": ".spec.source.volumeSnapshotContentName", "description": "If a snapshot already exists, this contains the name of the existing VolumeSnapshotContent object representing the existing snapshot." },
            { "name": "RestoreSize", "type": "string", "jsonPath": ".status.restoreSize", "description": "Represents the minimum size of volume required to rehydrate from this snapshot." },
            { "name": "SnapshotClass", "type": "string", "jsonPath": ".spec.volumeSnapshotClassName", "description": "The name of the VolumeSnapshotClass requested by the VolumeSnapshot." },
            { "name": "SnapshotContent", "type": "string", "jsonPath": ".status.boundVolumeSnapshotContentName", "description": "Name of the VolumeSnapshotContent object to which the VolumeSnapshot object intends to bind to. Please note that verification of binding actually requires checking both VolumeSnapshot and VolumeSnapshotContent to ensure both are pointing at each other. Binding MUST be verified prior to usage of this object." },
            { "name": "CreationTime", "type": "date", "jsonPath": ".status.creationTime", "description": "Timestamp when the point-in-time snapshot was taken by the underlying storage system." },
            { "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp" }
          ],
          "schema": { "openAPIV3Schema": {
            "type": "object", "required": ["spec"],
            "properties": {
              "apiVersion": { "type": "string" }, "kind": { "type": "string" }, "metadata": { "type": "object" },
              "spec": {
                "type": "object", "required": ["source"],
                "properties": {
                  "source": {
                    "type": "object",
                    "properties": {
                      "persistentVolumeClaimName": { "type": "string", "x-kubernetes-validations": [{ "rule": "self == oldSelf", "message": "persistentVolumeClaimName is immutable" }] },
                      "volumeSnapshotContentName": { "type": "string", "x-kubernetes-validations": [{ "rule": "self == oldSelf", "message": "volumeSnapshotContentName is immutable" }] }
                    },
                    "x-kubernetes-validations": [
                      { "rule": "!has(oldSelf.persistentVolumeClaimName) || has(self.persistentVolumeClaimName)", "message": "persistentVolumeClaimName is required once set" },
                      { "rule": "!has(oldSelf.volumeSnapshotContentName) || has(self.volumeSnapshotContentName)", "message": "volumeSnapshotContentName is required once set" },
                      { "rule": "(has(self.volumeSnapshotContentName) && !has(self.persistentVolumeClaimName)) || (!has(self.volumeSnapshotContentName) && has(self.persistentVolumeClaimName))", "message": "exactly one of volumeSnapshotContentName and persistentVolumeClaimName must be set" }
                    ]
                  },
                  "volumeSnapshotClassName": { "type": "string" }
                }
              },
              "status": {
                "type": "object",
                "properties": {
                  "boundVolumeSnapshotContentName": { "type": "string" },
                  "creationTime": { "type": "string", "format": "date-time" },
                  "error": { "type": "object", "properties": { "message": { "type": "string" }, "time": { "type": "string", "format": "date-time" } } },
                  "readyToUse": { "type": "boolean" },
                  "restoreSize": { "x-kubernetes-int-or-string": true, "anyOf": [{ "type": "integer" }, { "type": "string" }] },
                  "volumeGroupSnapshotName": { "type": "string" }
                }
              }
            }
          } }
        }]
      }
    }
    """;

    private const string VolumeSnapshotClass = """
    {
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
      "metadata": { "name": "volumesnapshotclasses.snapshot.storage.k8s.io", "annotations": { "api-approved.kubernetes.io": "https://github.com/kubernetes-csi/external-snapshotter/pull/814" } },
      "spec": {
        "group": "snapshot.storage.k8s.io", "scope": "Cluster",
        "names": { "kind": "VolumeSnapshotClass", "listKind": "VolumeSnapshotClassList", "plural": "volumesnapshotclasses", "singular": "volumesnapshotclass", "shortNames": ["vsclass", "vsclasses"] },
        "versions": [{
          "name": "v1", "served": true, "storage": true, "subresources": {},
          "additionalPrinterColumns": [
            { "name": "Driver", "type": "string", "jsonPath": ".driver" },
            { "name": "DeletionPolicy", "type": "string", "jsonPath": ".deletionPolicy", "description": "Determines whether a VolumeSnapshotContent created through the VolumeSnapshotClass should be deleted when its bound VolumeSnapshot is deleted." },
            { "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp" }
          ],
          "schema": { "openAPIV3Schema": {
            "type": "object", "required": ["deletionPolicy", "driver"],
            "properties": {
              "apiVersion": { "type": "string" }, "kind": { "type": "string" }, "metadata": { "type": "object" },
              "deletionPolicy": { "type": "string", "enum": ["Delete", "Retain"] },
              "driver": { "type": "string" },
              "parameters": { "type": "object", "additionalProperties": { "type": "string" } }
            }
          } }
        }]
      }
    }
    """;

    private const string VolumeSnapshotContent = """
    {
      "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
      "metadata": { "name": "volumesnapshotcontents.snapshot.storage.k8s.io", "annotations": { "api-approved.kubernetes.io": "https://github.com/kubernetes-csi/external-snapshotter/pull/955" } },
      "spec": {
        "group": "snapshot.storage.k8s.io", "scope": "Cluster",
        "names": { "kind": "VolumeSnapshotContent", "listKind": "VolumeSnapshotContentList", "plural": "volumesnapshotcontents", "singular": "volumesnapshotcontent", "shortNames": ["vsc", "vscs"] },
        "versions": [{
          "name": "v1", "served": true, "storage": true, "subresources": { "status": {} },
          "additionalPrinterColumns": [
            { "name": "ReadyToUse", "type": "boolean", "jsonPath": ".status.readyToUse" },
            { "name": "RestoreSize", "type": "integer", "jsonPath": ".status.restoreSize" },
            { "name": "DeletionPolicy", "type": "string", "jsonPath": ".spec.deletionPolicy" },
            { "name": "Driver", "type": "string", "jsonPath": ".spec.driver" },
            { "name": "VolumeSnapshotClass", "type": "string", "jsonPath": ".spec.volumeSnapshotClassName" },
            { "name": "VolumeSnapshot", "type": "string", "jsonPath": ".spec.volumeSnapshotRef.name" },
            { "name": "VolumeSnapshotNamespace", "type": "string", "jsonPath": ".spec.volumeSnapshotRef.namespace" },
            { "name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp" }
          ],
          "schema": { "openAPIV3Schema": {
            "type": "object", "required": ["spec"],
            "properties": {
              "apiVersion": { "type": "string" }, "kind": { "type": "string" }, "metadata": { "type": "object" },
              "spec": {
                "type": "object", "required": ["deletionPolicy", "driver", "source", "volumeSnapshotRef"],
                "properties": {
                  "deletionPolicy": { "type": "string", "enum": ["Delete", "Retain"] },
                  "driver": { "type": "string" },
                  "source": {
                    "type": "object",
                    "properties": {
                      "snapshotHandle": { "type": "string", "x-kubernetes-validations": [{ "rule": "self == oldSelf", "message": "snapshotHandle is immutable" }] },
                      "volumeHandle": { "type": "string", "x-kubernetes-validations": [{ "rule": "self == oldSelf", "message": "volumeHandle is immutable" }] }
                    },
                    "x-kubernetes-validations": [{ "rule": "(has(self.volumeHandle) && !has(self.snapshotHandle)) || (!has(self.volumeHandle) && has(self.snapshotHandle))", "message": "exactly one of volumeHandle and snapshotHandle must be set" }]
                  },
                  "sourceVolumeMode": { "type": "string", "x-kubernetes-validations": [{ "rule": "self == oldSelf", "message": "sourceVolumeMode is immutable" }] },
                  "volumeSnapshotClassName": { "type": "string" },
                  "volumeSnapshotRef": {
                    "type": "object", "x-kubernetes-map-type": "atomic",
                    "properties": {
                      "apiVersion": { "type": "string" }, "fieldPath": { "type": "string" }, "kind": { "type": "string" },
                      "name": { "type": "string" }, "namespace": { "type": "string" }, "resourceVersion": { "type": "string" }, "uid": { "type": "string" }
                    },
                    "x-kubernetes-validations": [{ "rule": "has(self.name) && has(self.__namespace__)", "message": "both spec.volumeSnapshotRef.name and spec.volumeSnapshotRef.namespace must be set" }]
                  }
                }
              },
              "status": {
                "type": "object",
                "properties": {
                  "creationTime": { "type": "integer", "format": "int64" },
                  "error": { "type": "object", "properties": { "message": { "type": "string" }, "time": { "type": "string", "format": "date-time" } } },
                  "readyToUse": { "type": "boolean" },
                  "restoreSize": { "type": "integer", "format": "int64", "minimum": 0 },
                  "snapshotHandle": { "type": "string" },
                  "volumeGroupSnapshotHandle": { "type": "string" }
                }
              }
            }
          } }
        }]
      }
    }
    """;
}
