using System.Net;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.Tests;

/// <summary>Each injected fault kind, seen through HTTP as a client of a real API server would see it.</summary>
public sealed class FaultInjectionTests : IClassFixture<SandboxFixture>, IAsyncLifetime
{
    private readonly SandboxFixture _fx;

    public FaultInjectionTests(SandboxFixture fx) => _fx = fx;

    private ApiClient Api => _fx.Api;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _fx.Cluster.Faults.Clear();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ServiceUnavailableAndTimeoutAreStatusBodiesForTheSelectedResourceOnly()
    {
        _fx.Cluster.Faults.Configure("error503=1:list/configmaps");
        var unavailable = await Api.GetAsync("/api/v1/namespaces/default/configmaps");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.Status);
        Assert.Equal(("Status", "Failure", "ServiceUnavailable", "503"),
            (unavailable.Str("kind"), unavailable.Str("status"), unavailable.Str("reason"), unavailable.Str("code")));
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/api/v1/namespaces/default/secrets")).Status);

        _fx.Cluster.Faults.Configure("error504=1:get");
        var timeout = await Api.GetAsync("/api/v1/namespaces/default");
        Assert.Equal(HttpStatusCode.GatewayTimeout, timeout.Status);
        Assert.Equal(("Timeout", "Timeout: request did not complete within 1m0s"), (timeout.Str("reason"), timeout.Str("message")));
    }

    [Fact]
    public async Task ConnectionResetGivesNoResponse()
    {
        _fx.Cluster.Faults.Configure("reset=1:pods");
        await Assert.ThrowsAsync<HttpRequestException>(() => Api.GetAsync("/api/v1/namespaces/default/pods"));
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/api/v1/namespaces/default/configmaps")).Status);
    }

    [Fact]
    public async Task HungRequestIsNeverAnswered()
    {
        _fx.Cluster.Faults.Configure("hang=1:get/namespaces");
        // The client gives up first.
        using (var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500)))
        {
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Api.Http.GetAsync("api/v1/namespaces/default", giveUp.Token));
        }

        // Or the server's cap passes and the connection is dropped, still without an answer.
        _fx.Cluster.Faults.Configure("hang=1:get/namespaces,hangSeconds=0.5");
        await Assert.ThrowsAsync<HttpRequestException>(() => Api.GetAsync("/api/v1/namespaces/default"));
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync("/api/v1/namespaces")).Status);
    }

    [Fact]
    public async Task WatchWithAResourceVersionCanBeTooLarge()
    {
        _fx.Cluster.Faults.Configure("tooLargeRV=1:watch");
        var response = await Api.GetAsync("/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=5");
        Assert.Equal(HttpStatusCode.GatewayTimeout, response.Status);
        Assert.Equal(("Timeout", "Timeout: Too large resource version: 5, current: 4"), (response.Str("reason"), response.Str("message")));
        Assert.Equal("1", response.Str("details", "retryAfterSeconds"));
        var cause = Assert.Single(response.Object["details"]!["causes"]!.AsArray());
        Assert.Equal(("ResourceVersionTooLarge", "Too large resource version"), (cause!["reason"]!.ToString(), cause["message"]!.ToString()));
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);

        // Without a resourceVersion there is nothing to be too large.
        var fresh = await Api.GetAsync("/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1");
        Assert.Equal(HttpStatusCode.OK, fresh.Status);
    }

    [Fact]
    public async Task ConflictOnUpdateCarriesTheRealMessage()
    {
        var created = await Api.CreateOkAsync("/api/v1/namespaces/default/configmaps", new JsonObject
        {
            ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "conflicted" },
        });
        _fx.Cluster.Faults.Configure("conflict=1:update/configmaps");
        var conflict = await Api.PutAsync("/api/v1/namespaces/default/configmaps/conflicted", created);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("Conflict", conflict.Str("reason"));
        Assert.Equal("Operation cannot be fulfilled on configmaps \"conflicted\": the object has been modified; please apply your changes to the latest version and try again", conflict.Str("message"));
        Assert.Equal(("conflicted", "configmaps"), (conflict.Str("details", "name"), conflict.Str("details", "kind")));
        Assert.Equal(HttpStatusCode.OK, (await Api.PatchAsync("/api/v1/namespaces/default/configmaps/conflicted", new JsonObject { ["data"] = new JsonObject { ["a"] = "b" } })).Status);
    }

    [Fact]
    public void SelectorsAreChecked()
    {
        Assert.Throws<FormatException>(() => _fx.Cluster.Faults.Configure("reset=1:explode/pods"));
        Assert.Throws<FormatException>(() => _fx.Cluster.Faults.Configure("hang=2"));
        _fx.Cluster.Faults.Configure("error503=0.5:pods+list,error504=0.1:update/jobs,reset=0.01,hang=0.01:get,hangSeconds=5,tooLargeRV=0.2,seed=3");
        Assert.True(_fx.Cluster.Faults.Enabled);
    }
}
