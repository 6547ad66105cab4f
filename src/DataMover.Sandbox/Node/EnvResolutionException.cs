namespace DataMover.Sandbox.Node;

/// <summary>A container's environment cannot be built yet (the kubelet's CreateContainerConfigError).</summary>
internal sealed class EnvResolutionException : Exception
{
    public EnvResolutionException(string message)
        : base(message)
    {
    }

    public EnvResolutionException()
    {
    }

    public EnvResolutionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
