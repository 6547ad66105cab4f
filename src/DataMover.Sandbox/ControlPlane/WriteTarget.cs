namespace DataMover.Sandbox.ControlPlane;

/// <summary>Which endpoint a change to an existing object goes through.</summary>
internal enum WriteTarget
{
    /// <summary>The object itself (PUT on the resource): metadata and spec; status is ignored where it has a subresource.</summary>
    Object,

    /// <summary>The <c>/status</c> subresource: only status is taken.</summary>
    Status,
}
