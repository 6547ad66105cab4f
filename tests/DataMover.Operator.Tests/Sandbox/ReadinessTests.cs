using System.Net;
using DataMover.Operator.Hosting;
using Microsoft.Extensions.Logging;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>/readyz against the sandbox whose list and watch endpoints are made to fail while the operator runs.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ReadinessTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    [Fact]
    public async Task Readyz_fails_while_informers_cannot_list_or_watch_and_recovers_with_them()
    {
        var loggers = LoggerFactory.Create(b => b.AddProvider(Logs).SetMinimumLevel(LogLevel.Information));
        await using var host = await OperatorHost.StartAsync(new OperatorOptions
        {
            KubeconfigPath = Fixture.OperatorKubeconfigPath,
            Namespace = Ns,
            MetricsBindAddress = "0",
            HealthProbeBindAddress = "127.0.0.1:0",
            LoggerFactory = loggers,
            InformerUnhealthyAfter = TimeSpan.FromSeconds(2),
        });
        using (var ready = new CancellationTokenSource(Timeout))
        {
            await host.WaitUntilReadyAsync(ready.Token);
        }

        using var http = new HttpClient();
        var readyz = new Uri(host.HealthUrl!, "/readyz");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(readyz)).StatusCode);

        try
        {
            // Watches are cut every second and may not come back; lists fail: every informer falls out of sync.
            Fixture.Cluster.Faults.Configure("error500=1:list+watch,cutWatches=1");
            var failing = await WaitForStatusAsync(http, readyz, HttpStatusCode.InternalServerError);
            Assert.Contains("informers failed", failing, StringComparison.Ordinal);
            Assert.Contains("not synced for", failing, StringComparison.Ordinal);
        }
        finally
        {
            Fixture.Cluster.Faults.Clear();
        }

        Assert.Equal("ok", await WaitForStatusAsync(http, readyz, HttpStatusCode.OK));
    }

    private static async Task<string> WaitForStatusAsync(HttpClient http, Uri url, HttpStatusCode expected)
    {
        // Generous: informers back off up to 30s (with jitter) between attempts.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            using var response = await http.GetAsync(url);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == expected)
            {
                return body;
            }

            Assert.True(DateTime.UtcNow < deadline, $"/readyz still {(int)response.StatusCode} {body}");
            await Task.Delay(200);
        }
    }
}
