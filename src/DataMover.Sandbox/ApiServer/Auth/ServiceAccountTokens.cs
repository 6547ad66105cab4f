using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>
/// Bound service account tokens (pkg/serviceaccount): JWTs with iss, sub, aud, exp, iat, nbf, jti and the
/// kubernetes.io claim naming the ServiceAccount (and pod) by uid. Signed with HS256 under a key that lives only in
/// this process (the real server signs with its RSA/EC service-account key; nobody outside verifies either way).
/// A token is valid while it has not expired, names one of the server's audiences, and its ServiceAccount (and
/// bound pod) still exists with the same uid.
/// </summary>
internal sealed class ServiceAccountTokens
{
    /// <summary>kube-apiserver's default --service-account-issuer and --api-audiences.</summary>
    public const string Issuer = "https://kubernetes.default.svc.cluster.local";

    private static readonly string Header = Base64Url("""{"alg":"HS256","kid":"sandbox"}"""u8);
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly ResourceStore _store;
    private readonly TimeProvider _time;

    public ServiceAccountTokens(ResourceStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>Mints a token for a ServiceAccount (and optionally a pod it is bound to).</summary>
    public string Issue(string ns, string name, string saUid, IReadOnlyList<string> audiences, DateTimeOffset expires, (string Name, string Uid)? pod = null)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var k8s = new JsonObject
        {
            ["namespace"] = ns,
            ["serviceaccount"] = new JsonObject { ["name"] = name, ["uid"] = saUid },
        };
        if (pod is { } p)
        {
            k8s["pod"] = new JsonObject { ["name"] = p.Name, ["uid"] = p.Uid };
        }

        var claims = new JsonObject
        {
            ["aud"] = JsonPaths.StringArray(audiences),
            ["exp"] = expires.ToUnixTimeSeconds(),
            ["iat"] = now,
            ["iss"] = Issuer,
            ["jti"] = Guid.NewGuid().ToString(),
            ["kubernetes.io"] = k8s,
            ["nbf"] = now,
            ["sub"] = UserInfo.ServiceAccountUser(ns, name),
        };
        var payload = Base64Url(Encoding.UTF8.GetBytes(claims.ToJsonString()));
        var signed = Header + "." + payload;
        return signed + "." + Base64Url(HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signed)));
    }

    /// <summary>The token's identity, or null when it is not one of ours or no longer valid (401).</summary>
    public UserInfo? Authenticate(string token)
    {
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var lastDot = token.LastIndexOf('.');
        if (firstDot <= 0 || lastDot <= firstDot)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[32];
        HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(token[..lastDot]), expected);
        byte[] signature;
        JsonObject? claims;
        try
        {
            signature = FromBase64Url(token[(lastDot + 1)..]);
            claims = JsonNode.Parse(FromBase64Url(token[(firstDot + 1)..lastDot])) as JsonObject;
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(signature, expected) || claims is null || JsonPaths.Str(claims, "iss") != Issuer)
        {
            return null;
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if ((JsonPaths.Long(claims, "exp") ?? 0) <= now || (JsonPaths.Long(claims, "nbf") ?? 0) > now)
        {
            return null;
        }

        if (!(JsonPaths.Arr(claims, "aud")?.Any(a => a?.GetValue<string>() == Issuer) ?? false))
        {
            return null;
        }

        var k8s = claims["kubernetes.io"];
        var ns = JsonPaths.Str(k8s, "namespace") ?? "";
        var name = JsonPaths.Str(k8s, "serviceaccount", "name") ?? "";
        var uid = JsonPaths.Str(k8s, "serviceaccount", "uid") ?? "";
        lock (_store.Gate)
        {
            // Bound tokens die with their ServiceAccount (and pod): the validator looks both up by uid.
            var sa = _store.Get("/serviceaccounts", ns, name);
            if (sa is null || JsonPaths.Uid(sa) != uid || JsonPaths.IsDeleting(sa))
            {
                return null;
            }

            if (JsonPaths.Str(k8s, "pod", "name") is { } podName)
            {
                var pod = _store.Get("/pods", ns, podName);
                if (pod is null || JsonPaths.Uid(pod) != JsonPaths.Str(k8s, "pod", "uid"))
                {
                    return null;
                }
            }
        }

        return UserInfo.ServiceAccount(ns, name, uid);
    }

    public static string FormatExpiration(DateTimeOffset expires) =>
        expires.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string value)
    {
        var s = value.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s + new string('=', (4 - (s.Length % 4)) % 4));
    }
}
