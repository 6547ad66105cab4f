using System.Net;
using System.Net.Http.Headers;
using DataMover.Operator.Tests.Support;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>
/// --metrics-secure with deploy/components/metrics-auth: HTTPS, and a scrape needs a token that passes a TokenReview
/// and a user allowed to get /metrics (the operator asks the API server, under its own ServiceAccount, as shipped).
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed class MetricsAuthTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    private const string Component = "deploy/components/metrics-auth";

    [Fact]
    public async Task OnlyAMetricsReaderMayScrape()
    {
        var admin = Fixture.Cluster.KubeconfigPath;
        foreach (var file in new[] { "auth_role.yaml", "auth_role_binding.yaml", "metrics_reader_role.yaml" })
        {
            await Kubectl.RunAsync(admin, "apply", "-f", SandboxFixture.RepoFile($"{Component}/{file}"));
        }

        await Kubectl.RunAsync(admin, "create", "serviceaccount", "scraper", "-n", Ns);
        await Kubectl.RunAsync(admin, "create", "serviceaccount", "stranger", "-n", Ns);
        await Kubectl.RunAsync(admin, "create", "clusterrolebinding", $"scraper-{Ns}", "--clusterrole=datamover-operator-metrics-reader", $"--serviceaccount={Ns}:scraper");
        try
        {
            var scraper = (await Kubectl.RunAsync(admin, "create", "token", "scraper", "-n", Ns)).Trim();
            var stranger = (await Kubectl.RunAsync(admin, "create", "token", "stranger", "-n", Ns)).Trim();

            var host = await StartOperatorAsync(configure: o => o with { MetricsSecure = true });
            Assert.Equal("https", host.MetricsUrl!.Scheme);
            var metrics = new Uri(host.MetricsUrl, "/metrics");

            // The certificate is self-signed (no --metrics-cert-dir), as a ServiceMonitor with insecureSkipVerify scrapes it.
            using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
            using var http = new HttpClient(handler);
            Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(metrics)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await GetAsync(http, metrics, "not-a-token")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await GetAsync(http, metrics, stranger)).StatusCode);
            using var allowed = await GetAsync(http, metrics, scraper);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Contains("datamover_operations_total", PrometheusText.Parse(await allowed.Content.ReadAsStringAsync()).Keys);

            // The operator asked under its own ServiceAccount, with the component's rules.
            var decisions = Fixture.Cluster.AuthorizationsOf(OperatorIdentity.User);
            Assert.Contains(decisions, d => d.Allowed && d.Resource == "tokenreviews" && d.Verb == "create");
            Assert.Contains(decisions, d => d.Allowed && d.Resource == "subjectaccessreviews" && d.Verb == "create");
            Assert.DoesNotContain(Logs.Lines, l => l.Contains(scraper, StringComparison.Ordinal) || l.Contains(stranger, StringComparison.Ordinal));
        }
        finally
        {
            await Kubectl.RunAsync(admin, "delete", "clusterrolebinding", $"scraper-{Ns}");
        }
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, Uri uri, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await http.SendAsync(request);
    }
}
