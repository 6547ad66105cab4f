using DataMover.Kube.Models;

namespace DataMover.Sandbox.Node;

/// <summary>Where the kubelet reads Secrets and ConfigMaps from (its informer caches; a dictionary in tests).</summary>
internal interface IConfigSource
{
    Secret? GetSecret(string ns, string name);

    ConfigMap? GetConfigMap(string ns, string name);
}
