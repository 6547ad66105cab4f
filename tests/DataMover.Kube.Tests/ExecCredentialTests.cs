using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Kube.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DataMover.Kube.Tests;

/// <summary>Kubeconfig exec credential plugins (small bash scripts) against a scripted HTTPS API server.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ExecCredentialTests : IDisposable
{
    private static readonly Lazy<X509Certificate2> ServerCa = new(() => TestPki.CreateCa("exec-cluster-ca"));

    // Counts its runs, records what it was given, and hands out token-<run>; EXPIRES (if set) becomes expirationTimestamp.
    private const string Plugin = """
        #!/bin/bash
        set -e
        n=$(( $(cat "$STATE/count" 2>/dev/null || echo 0) + 1 ))
        echo "$n" > "$STATE/count"
        printf '%s' "$KUBERNETES_EXEC_INFO" > "$STATE/exec-info"
        printf '%s\n' "$@" > "$STATE/args"
        if read -r -t 1 line; then echo "stdin was attached" >&2; exit 3; fi
        echo "exec-test plugin run $n" >&2
        expiry=""
        if [ -n "$EXPIRES" ]; then expiry=",\"expirationTimestamp\":\"$EXPIRES\""; fi
        echo "{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"status\":{\"token\":\"token-$n\"$expiry}}"
        """;

    private readonly TempDir _dir = new();
    private readonly List<string> _seen = [];

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task The_plugin_token_is_sent_and_cached_and_the_plugin_gets_args_env_and_exec_info()
    {
        await using var server = await StartServerAsync(acceptedToken: null);
        using var client = new KubeClient(Load(server.BaseAddress, expires: "2999-01-01T00:00:00Z"));

        await GetAsync(client);
        await GetAsync(client);

        Assert.Equal(["Bearer token-1", "Bearer token-1"], _seen);
        Assert.Equal("1", State("count"));
        Assert.Equal("--region\neu-west-1", State("args"));
        var info = JsonNode.Parse(State("exec-info"))!;
        Assert.Equal("ExecCredential", info["kind"]!.GetValue<string>());
        Assert.Equal("client.authentication.k8s.io/v1", info["apiVersion"]!.GetValue<string>());
        Assert.False(info["spec"]!["interactive"]!.GetValue<bool>());
        Assert.Equal(server.BaseAddress.ToString().TrimEnd('/'), info["spec"]!["cluster"]!["server"]!.GetValue<string>());
        Assert.NotNull(info["spec"]!["cluster"]!["certificate-authority-data"]);
    }

    [Fact]
    public async Task An_expired_credential_runs_the_plugin_again()
    {
        await using var server = await StartServerAsync(acceptedToken: null);
        using var client = new KubeClient(Load(server.BaseAddress, expires: "2000-01-01T00:00:00Z"));

        await GetAsync(client);
        await GetAsync(client);

        Assert.Equal(["Bearer token-1", "Bearer token-2"], _seen);
    }

    [Fact]
    public async Task A_401_runs_the_plugin_once_more_and_retries_with_the_new_token()
    {
        await using var server = await StartServerAsync(acceptedToken: "token-2");
        using var client = new KubeClient(Load(server.BaseAddress, expires: "2999-01-01T00:00:00Z"));

        await GetAsync(client);

        Assert.Equal(["Bearer token-1", "Bearer token-2"], _seen);
        Assert.Equal("2", State("count"));
    }

    [Fact]
    public async Task A_credential_refused_again_after_one_rerun_fails_without_showing_the_token()
    {
        await using var server = await StartServerAsync(acceptedToken: "never-issued");
        using var client = new KubeClient(Load(server.BaseAddress, expires: "2999-01-01T00:00:00Z"));

        var error = await Assert.ThrowsAsync<KubeApiException>(() => GetAsync(client));

        Assert.True(error.IsUnauthorized);
        Assert.Equal("2", State("count"));
        Assert.DoesNotContain("token-", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_plugin_fails_with_its_install_hint()
    {
        await using var server = await StartServerAsync(acceptedToken: null);
        var settings = Load(server.BaseAddress, expires: null, command: "./bin/not-installed-plugin", extra: """
                  installHint: "not-installed-plugin is needed: apt-get install not-installed-plugin"
            """);
        using var client = new KubeClient(settings);

        var error = await Assert.ThrowsAsync<KubeConfigException>(() => GetAsync(client));

        Assert.Contains("apt-get install not-installed-plugin", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_dir.Path, "bin", "not-installed-plugin"), error.Message, StringComparison.Ordinal);
        Assert.Empty(_seen);
    }

    [Fact]
    public void An_always_interactive_plugin_is_refused()
    {
        var error = Assert.Throws<KubeConfigException>(() => Load(new Uri("https://127.0.0.1:1"), expires: null, interactiveMode: "Always"));

        Assert.Contains("interactiveMode Always", error.Message, StringComparison.Ordinal);
    }

    private string State(string name) => File.ReadAllText(Path.Combine(_dir.Path, "state", name)).TrimEnd('\n');

    private static async Task GetAsync(KubeClient client) =>
        await client.Resource(KubeResources.Namespaces).GetAsync(null, "probe");

    private KubeClientSettings Load(Uri server, string? expires, string command = "./bin/plugin.sh", string extra = "", string interactiveMode = "IfAvailable")
    {
        var plugin = _dir.Write("bin/plugin.sh", Plugin.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
        File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.Combine(_dir.Path, "state"));
        var path = _dir.Write("config", $"""
            current-context: test
            clusters:
            - name: test
              cluster:
                server: {server}
                certificate-authority-data: {TestPki.Base64(ServerCa.Value.ExportCertificatePem())}
            users:
            - name: test
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {command}
                  args: ["--region", "eu-west-1"]
                  env:
                  - name: STATE
                    value: {Path.Combine(_dir.Path, "state")}
                  - name: EXPIRES
                    value: "{expires}"
                  provideClusterInfo: true
                  interactiveMode: {interactiveMode}
            {extra}
            contexts:
            - name: test
              context:
                cluster: test
                user: test
            """);
        return KubeConfigLoader.Load(path) with { MaxAttempts = 1 };
    }

    private Task<ScriptedServer> StartServerAsync(string? acceptedToken) =>
        ScriptedServer.StartHttpsAsync(
            app => app.MapGet("/api/v1/namespaces/{name}", (HttpContext context, string name) =>
            {
                var auth = context.Request.Headers.Authorization.ToString();
                lock (_seen)
                {
                    _seen.Add(auth);
                }

                if (acceptedToken is not null && auth != "Bearer " + acceptedToken)
                {
                    return Results.Text("""{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Unauthorized","message":"Unauthorized","code":401}""", "application/json", statusCode: 401);
                }

                return Results.Text(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = name } }.ToJsonString(), "application/json");
            }),
            TestPki.IssueServer(ServerCa.Value, ["localhost"]));
}
