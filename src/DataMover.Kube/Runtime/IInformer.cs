namespace DataMover.Kube.Runtime;

/// <summary>What a host needs of any informer, whatever it caches: its name and its health.</summary>
public interface IInformer
{
    /// <summary>The watched resource, for messages ("configmaps", "datamovers.datamover.a-cup-of.coffee").</summary>
    string Resource { get; }

    InformerHealth Health { get; }
}
