using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Auth;

namespace DataMover.Sandbox.Tests.Auth;

/// <summary>Bound ServiceAccount tokens (TokenRequest, expiry, audience, uid binding) and the ServiceAccount admission plugin on pods.</summary>
public sealed class ServiceAccountTokenTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _fx;

    public ServiceAccountTokenTests(SandboxFixture fx) => _fx = fx;

    private static JsonObject Pod(string name, string? serviceAccount = null, bool? automount = null, string? generateName = null)
    {
        var spec = new JsonObject { ["containers"] = new JsonArray(new JsonObject { ["name"] = "c", ["image"] = "busybox:1.36" }) };
        if (serviceAccount is not null)
        {
            spec["serviceAccountName"] = serviceAccount;
        }

        if (automount is not null)
        {
            spec["automountServiceAccountToken"] = automount;
        }

        var metadata = generateName is null ? new JsonObject { ["name"] = name } : new JsonObject { ["generateName"] = generateName };
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = metadata, ["spec"] = spec };
    }

    [Fact]
    public async Task Token_request_answers_like_kube_apiserver_and_the_token_is_a_bound_jwt()
    {
        await _fx.Kubectl.RunAsync("create", "namespace", "tok-request");
        var r = await _fx.Api.PostAsync("/api/v1/namespaces/tok-request/serviceaccounts/default/token", ApiClient.Obj("""
            {"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{"expirationSeconds":1200}}
            """));
        Assert.Equal(HttpStatusCode.Created, r.Status);
        Assert.Equal("TokenRequest", r.Str("kind"));
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], r.Json!["spec"]!["audiences"]!.AsArray().Select(a => a!.ToString()));
        var expires = DateTimeOffset.Parse(r.Str("status", "expirationTimestamp")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(1190), TimeSpan.FromSeconds(1201));
        var token = r.Str("status", "token")!;
        var payload = token.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var claims = JsonNode.Parse(Convert.FromBase64String(payload + new string('=', (4 - (payload.Length % 4)) % 4)))!;
        Assert.Equal("system:serviceaccount:tok-request:default", claims["sub"]!.ToString());
        Assert.Equal("tok-request", claims["kubernetes.io"]!["namespace"]!.ToString());
        var sa = await _fx.Api.GetAsync("/api/v1/namespaces/tok-request/serviceaccounts/default");
        Assert.Equal(sa.Str("metadata", "uid"), claims["kubernetes.io"]!["serviceaccount"]!["uid"]!.ToString());
        Assert.Equal(claims["exp"]!.GetValue<long>() - 1200, claims["iat"]!.GetValue<long>());

        var tooShort = await _fx.Api.PostAsync("/api/v1/namespaces/tok-request/serviceaccounts/default/token", ApiClient.Obj("""{"spec":{"expirationSeconds":60}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooShort.Status);
        Assert.Equal("TokenRequest.authentication.k8s.io \"default\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes", tooShort.Str("message"));
        Assert.Equal(HttpStatusCode.NotFound, (await _fx.Api.PostAsync("/api/v1/namespaces/tok-request/serviceaccounts/ghost/token", ApiClient.Obj("{}"))).Status);
    }

    [Fact]
    public async Task Expired_foreign_audience_and_orphaned_tokens_are_unauthorized()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "tok-invalid");
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.GetAsync("/api")).Status);

        var saObject = await _fx.Api.GetAsync("/api/v1/namespaces/tok-invalid/serviceaccounts/sa");
        var expired = _fx.Cluster.ServiceAccountTokens.Issue("tok-invalid", "sa", saObject.Str("metadata", "uid")!, [ServiceAccountTokens.Issuer], DateTimeOffset.UtcNow.AddSeconds(-1));
        await AssertUnauthorizedAsync(expired);

        var foreign = (await _fx.Kubectl.OkAsync("create", "token", "sa", "-n", "tok-invalid", "--audience=https://example.com")).Trim();
        await AssertUnauthorizedAsync(foreign);

        // A token whose signature does not verify.
        var parts = sa.Token.Split('.');
        await AssertUnauthorizedAsync(parts[0] + "." + parts[1] + "." + Convert.ToBase64String(Encoding.UTF8.GetBytes("forged")).TrimEnd('='));

        // Deleting the ServiceAccount invalidates its tokens; a new one of the same name has another uid.
        await _fx.Kubectl.OkAsync("delete", "serviceaccount", "sa", "-n", "tok-invalid");
        await AssertUnauthorizedAsync(sa.Token);
        await _fx.Kubectl.OkAsync("create", "serviceaccount", "sa", "-n", "tok-invalid");
        await AssertUnauthorizedAsync(sa.Token);
        var kubectl = await sa.Kubectl.RunAsync("get", "pods", "-n", "tok-invalid");
        Assert.Equal(1, kubectl.ExitCode);
        Assert.Contains("error: You must be logged in to the server", kubectl.Stderr);
    }

    private async Task AssertUnauthorizedAsync(string token)
    {
        using var http = _fx.Cluster.Context.CreateHttpClient(token);
        var r = await http.GetAsync("api");
        Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""", await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task New_namespaces_get_a_default_service_account_and_the_root_ca_at_once()
    {
        var created = await _fx.Api.PostAsync("/api/v1/namespaces", ApiClient.Obj("""{"metadata":{"name":"tok-defaults"}}"""));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.OK, (await _fx.Api.GetAsync("/api/v1/namespaces/tok-defaults/serviceaccounts/default")).Status);
        var ca = await _fx.Api.GetAsync("/api/v1/namespaces/tok-defaults/configmaps/kube-root-ca.crt");
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", ca.Str("data", "ca.crt"));
    }

    [Fact]
    public async Task Pods_naming_a_missing_service_account_are_forbidden()
    {
        await _fx.Kubectl.RunAsync("create", "namespace", "tok-missing");
        var r = await _fx.Api.PostAsync("/api/v1/namespaces/tok-missing/pods", Pod("p", "ghost"));
        Assert.Equal(HttpStatusCode.Forbidden, r.Status);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"p\" is forbidden: error looking up service account tok-missing/ghost: serviceaccount \"ghost\" not found","reason":"Forbidden","details":{"name":"p","kind":"pods"},"code":403}""",
            r.Text);
        var generated = await _fx.Api.PostAsync("/api/v1/namespaces/tok-missing/pods", Pod("", "ghost", generateName: "job-x-"));
        Assert.Equal("pods \"job-x-\" is forbidden: error looking up service account tok-missing/ghost: serviceaccount \"ghost\" not found", generated.Str("message"));
    }

    [Fact]
    public async Task Pods_get_the_projected_token_volume_unless_the_pod_or_service_account_opts_out()
    {
        await _fx.Kubectl.RunAsync("create", "namespace", "tok-mount");
        var pod = await _fx.Api.CreateOkAsync("/api/v1/namespaces/tok-mount/pods", Pod("auto"));
        Assert.Equal("default", pod["spec"]!["serviceAccountName"]!.ToString());
        var volume = pod["spec"]!["volumes"]!.AsArray().Single()!;
        Assert.Matches("^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$", volume["name"]!.ToString());
        Assert.Equal(
            """{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}""",
            volume["projected"]!.ToJsonString());
        var mount = pod["spec"]!["containers"]![0]!["volumeMounts"]!.AsArray().Single()!;
        Assert.Equal("/var/run/secrets/kubernetes.io/serviceaccount", mount["mountPath"]!.ToString());
        Assert.True(mount["readOnly"]!.GetValue<bool>());

        var optOut = await _fx.Api.CreateOkAsync("/api/v1/namespaces/tok-mount/pods", Pod("off", automount: false));
        Assert.Null(optOut["spec"]!["volumes"]);
        await _fx.Api.CreateOkAsync("/api/v1/namespaces/tok-mount/serviceaccounts", ApiClient.Obj("""{"metadata":{"name":"quiet"},"automountServiceAccountToken":false}"""));
        Assert.Null((await _fx.Api.CreateOkAsync("/api/v1/namespaces/tok-mount/pods", Pod("quiet", "quiet")))["spec"]!["volumes"]);
        Assert.NotNull((await _fx.Api.CreateOkAsync("/api/v1/namespaces/tok-mount/pods", Pod("loud", "quiet", automount: true)))["spec"]!["volumes"]);
    }
}
