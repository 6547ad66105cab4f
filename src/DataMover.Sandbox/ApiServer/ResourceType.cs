namespace DataMover.Sandbox.ApiServer;

/// <summary>Everything the generic REST machinery needs to know to serve one resource in one group/version.</summary>
internal sealed class ResourceType
{
    public required string Group { get; init; }

    public required string Version { get; init; }

    public required string Plural { get; init; }

    public required string Singular { get; init; }

    public required string Kind { get; init; }

    public string ListKind => Kind + "List";

    public required bool Namespaced { get; init; }

    public IReadOnlyList<string> ShortNames { get; init; } = [];

    public IReadOnlyList<string> Categories { get; init; } = [];

    public bool HasStatus { get; init; }

    /// <summary>Extra subresources beyond status (pods/log, pods/binding, namespaces/finalize).</summary>
    public IReadOnlyList<string> ExtraSubresources { get; init; } = [];

    /// <summary>Whether metadata.generation is maintained (jobs, CRDs, custom resources).</summary>
    public bool TracksGeneration { get; init; }

    /// <summary>Custom resources and CRDs refuse updates without metadata.resourceVersion.</summary>
    public bool AllowUnconditionalUpdate { get; init; } = true;

    public bool AllowCreateOnUpdate { get; init; }

    /// <summary>DELETE answers with the object instead of a Success Status.</summary>
    public bool ReturnDeletedObject { get; init; }

    /// <summary>Propagation used when the client names none; batch/v1 jobs still orphan for compatibility.</summary>
    public string DefaultPropagation { get; init; } = "Background";

    public NameRule NameRule { get; init; } = NameRule.Subdomain;

    public required IResourceStrategy Strategy { get; init; }

    public bool IsCustom { get; init; }

    /// <summary>Review resources (access reviews) are answered, never stored.</summary>
    public bool IsReview { get; init; }

    /// <summary>For custom resources: schema and printer columns of this version.</summary>
    public Crd.CustomResourceVersion? Custom { get; init; }

    /// <summary>Converts between this version's wire form and the stored form (events.k8s.io/v1 over core/v1 events).</summary>
    public IVersionConverter? Converter { get; init; }

    /// <summary>Resources served at several group/versions share one store key, as in etcd.</summary>
    public string StorageKey { get; init; } = "";

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public string GroupResource => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string Key => StorageKey.Length > 0 ? StorageKey : $"{Group}/{Plural}";

    public IReadOnlyList<string> Verbs { get; init; } = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
}
