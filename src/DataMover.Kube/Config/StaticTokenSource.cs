namespace DataMover.Kube.Config;

internal sealed class StaticTokenSource(string token) : TokenSource
{
    public override string? GetToken() => token;
}
