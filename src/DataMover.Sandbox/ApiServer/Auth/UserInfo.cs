namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>An authenticated identity, as k8s.io/apiserver's user.Info (name, uid, groups).</summary>
internal sealed record UserInfo(string Name, IReadOnlyList<string> Groups, string? Uid = null)
{
    public const string Masters = "system:masters";
    public const string Authenticated = "system:authenticated";
    public const string Unauthenticated = "system:unauthenticated";
    public const string ServiceAccountPrefix = "system:serviceaccount:";

    public static UserInfo Anonymous { get; } = new("system:anonymous", [Unauthenticated]);

    public bool IsPrivileged => Groups.Contains(Masters);

    public static string ServiceAccountUser(string ns, string name) => ServiceAccountPrefix + ns + ":" + name;

    public static UserInfo ServiceAccount(string ns, string name, string? uid) =>
        new(ServiceAccountUser(ns, name), ["system:serviceaccounts", "system:serviceaccounts:" + ns, Authenticated], uid);

    /// <summary>Splits system:serviceaccount:&lt;ns&gt;:&lt;name&gt;; false for any other user name.</summary>
    public static bool TrySplitServiceAccount(string user, out string ns, out string name)
    {
        ns = name = "";
        if (!user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = user[ServiceAccountPrefix.Length..].Split(':');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            return false;
        }

        (ns, name) = (parts[0], parts[1]);
        return true;
    }
}
