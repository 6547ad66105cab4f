namespace DataMover.Sandbox.Node;

/// <summary>Provisioning cannot proceed yet; the message is what the real provisioner would report.</summary>
internal sealed class ProvisioningException : Exception
{
    public ProvisioningException(string message)
        : base(message)
    {
    }

    public ProvisioningException()
    {
    }

    public ProvisioningException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
