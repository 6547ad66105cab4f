namespace DataMover.Kube.Config;

/// <summary>Supplies the bearer token for each request.</summary>
public abstract class TokenSource
{
    /// <summary>The token to send now, or null for none.</summary>
    public abstract string? GetToken();

    /// <summary>
    /// The server answered 401 to <paramref name="rejectedToken"/>. True when the source has dropped it and the next
    /// <see cref="GetToken"/> may bring a different one, so the request is worth sending once more.
    /// </summary>
    public virtual bool Invalidate(string? rejectedToken) => false;

    /// <summary>A fixed token.</summary>
    public static TokenSource Static(string token) => new StaticTokenSource(token);

    /// <summary>A token read from a file and re-read when the file changes (projected service-account tokens rotate).</summary>
    public static TokenSource FromFile(string path, TimeProvider? time = null) => new FileTokenSource(path, time ?? TimeProvider.System);
}
