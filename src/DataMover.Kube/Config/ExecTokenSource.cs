namespace DataMover.Kube.Config;

/// <summary>The bearer token of an exec credential plugin (null when the plugin hands out a client certificate instead).</summary>
internal sealed class ExecTokenSource(ExecCredentialPlugin plugin) : TokenSource
{
    public override string? GetToken() => plugin.Get().Token;

    public override bool Invalidate(string? rejectedToken) => plugin.Invalidate(rejectedToken);
}
