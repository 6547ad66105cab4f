namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// Maps a bearer token to a user: the kubeconfig's admin token (a static token in system:masters, as kubeadm's
/// admin.conf identity is), the node/control-plane token (trusted like kube-controller-manager and the kubelet,
/// simplified to system:masters), or a service account token. Anything else is not authenticated (401).
/// </summary>
internal sealed class TokenAuthenticator
{
    public static readonly UserInfo Admin = new("sandbox-admin", [UserInfo.Masters, UserInfo.Authenticated]);
    public static readonly UserInfo ControlPlane = new("system:sandbox-control-plane", [UserInfo.Masters, UserInfo.Authenticated]);

    private readonly string _adminToken;
    private readonly string _nodeToken;
    private readonly ServiceAccountTokens _serviceAccounts;

    public TokenAuthenticator(string adminToken, string nodeToken, ServiceAccountTokens serviceAccounts)
    {
        _adminToken = adminToken;
        _nodeToken = nodeToken;
        _serviceAccounts = serviceAccounts;
    }

    public UserInfo? Authenticate(string token)
    {
        if (token == _adminToken)
        {
            return Admin;
        }

        if (token == _nodeToken)
        {
            return ControlPlane;
        }

        return _serviceAccounts.Authenticate(token);
    }
}
