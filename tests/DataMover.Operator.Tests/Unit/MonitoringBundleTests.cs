using System.Text.Json.Nodes;
using DataMover.Operator.Metrics;
using DataMover.Operator.Tests.Support;
using DataMover.Operator.Tests.Support.PromQl;
using DataMover.Sandbox.ApiServer.Patching;

namespace DataMover.Operator.Tests.Unit;

/// <summary>
/// The monitoring component renders, and its alerts and dashboard are valid PromQL over names the operator declares.
/// Sandbox.MetricsScrapeTests checks the same expressions against what a running operator serves.
/// </summary>
public sealed class MonitoringBundleTests
{
    [Theory]
    [InlineData("sum by (namespace) (increase(x_total{status=\"failure\"}[1h])) > 0", "x_total")]
    [InlineData("(time() - a) > on (namespace, schedule) 2 * b", "a,b")]
    [InlineData("histogram_quantile(0.99, sum by (le, controller) (rate(h_bucket[5m])))", "h_bucket")]
    [InlineData("a / ignoring(code) group_left(method) b offset 5m", "a,b")]
    [InlineData("max(a == bool 1) or absent(up{job=~'.*op.*'} == 1)", "a,up")]
    [InlineData("{__name__=\"a\", x!~\"y\"} - rate(b[1h30m] @ 1609746000)", "a,b")]
    [InlineData("topk(3, sum without (pod) (c)) ^ 2 ^ -1", "c")]
    [InlineData("max_over_time(rate(d[5m])[1h:1m])", "d")]
    [InlineData("label_replace(e, \"dst\", \"$1\", \"src\", \"(.*)\") unless f and g", "e,f,g")]
    public void ReadsTheMetricNamesOfValidExpressions(string expression, string names) =>
        Assert.Equal(names.Split(',').Order(StringComparer.Ordinal), PromQlParser.MetricNames(expression).Order(StringComparer.Ordinal));

    [Theory]
    [InlineData("sum(rate(a[5m])")]
    [InlineData("sum(rate(a[5m])))")]
    [InlineData("a{job=\"x\"")]
    [InlineData("a{job=x}")]
    [InlineData("a{job~\"x\"}")]
    [InlineData("rate(a[5])")]
    [InlineData("rate(a[5q])")]
    [InlineData("rate((a)[5m])")]
    [InlineData("a >")]
    [InlineData("a + bool b")]
    [InlineData("sum by (ns (a)")]
    [InlineData("rates(a[5m])")]
    [InlineData("topk(a)")]
    [InlineData("a $ b")]
    [InlineData("\"unterminated")]
    [InlineData("")]
    [InlineData("a offset")]
    public void RejectsMalformedExpressions(string expression) =>
        Assert.Throws<FormatException>(() => PromQlParser.MetricNames(expression));

    [Fact]
    public async Task AnUnknownMetricIsReported()
    {
        var declared = await DeclaredAsync();
        var unknown = MonitoringBundle.Unknown([("rule", "rate(datamover_operations_total[5m]) + datamover_no_such_metric")], declared);
        Assert.Equal(["rule: datamover_no_such_metric"], unknown);
        Assert.Empty(MonitoringBundle.Unknown([("rule", "rate(datamover_phase_duration_seconds_bucket[5m])")], declared));
    }

    [Fact]
    public async Task AlertsAndDashboardNameOnlyDeclaredMetrics()
    {
        var declared = await DeclaredAsync();
        var alerts = MonitoringBundle.Alerts();
        Assert.Equal(
            ["DataMoverBackupFailed", "DataMoverCloneStuck", "DataMoverOperatorDown", "DataMoverOperatorNoLeader", "DataMoverReconcileErrors", "DataMoverRunStuck", "DataMoverScheduleNotSucceeding"],
            alerts.Select(a => a.Name).Order(StringComparer.Ordinal));
        Assert.Empty(MonitoringBundle.Unknown(alerts, declared));
        var queries = MonitoringBundle.DashboardQueries();
        Assert.True(queries.Count >= 10);
        Assert.Empty(MonitoringBundle.Unknown(queries, declared));
    }

    [Fact]
    public void EveryAlertHasASeverityAndADescription()
    {
        var rule = YamlJson.Parse(File.ReadAllText(Sandbox.SandboxFixture.RepoFile($"{MonitoringBundle.Component}/prometheusrule.yaml")))!;
        foreach (var alert in rule["spec"]!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()))
        {
            Assert.Contains(alert!["labels"]!["severity"]!.GetValue<string>(), new[] { "critical", "warning", "info" });
            Assert.False(string.IsNullOrWhiteSpace(alert["annotations"]?["description"]?.GetValue<string>()), alert["alert"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task TheComponentRendersWithTheOperator()
    {
        var rendered = await MonitoringBundle.RenderAsync();
        var kinds = rendered.Split("\n---\n").Select(d => YamlJson.Parse(d)!).Select(d => (d["kind"]!.GetValue<string>(), d["metadata"]!["name"]!.GetValue<string>())).ToList();
        Assert.Contains(("ServiceMonitor", "datamover-operator"), kinds);
        Assert.Contains(("PrometheusRule", "datamover-operator"), kinds);
        Assert.Contains(("ConfigMap", "datamover-operator-dashboard"), kinds);
        Assert.Contains(("Deployment", "datamover-operator-controller-manager"), kinds);
        var dashboard = rendered.Split("\n---\n").Select(d => YamlJson.Parse(d)!).Single(d => d["kind"]!.GetValue<string>() == "ConfigMap" && d["metadata"]!["name"]!.GetValue<string>() == "datamover-operator-dashboard");
        Assert.Equal("1", dashboard["metadata"]!["labels"]!["grafana_dashboard"]!.GetValue<string>());
        Assert.NotNull(JsonNode.Parse(dashboard["data"]!["datamover-dashboard.json"]!.GetValue<string>())!["panels"]);

        // The ServiceMonitor selects the metrics Service by its labels and port name.
        var service = rendered.Split("\n---\n").Select(d => YamlJson.Parse(d)!).Single(d => d["kind"]!.GetValue<string>() == "Service");
        Assert.Equal("metrics", service["spec"]!["ports"]![0]!["name"]!.GetValue<string>());
    }

    private static async Task<IReadOnlySet<string>> DeclaredAsync()
    {
        var metrics = new OperatorMetrics();
        return PrometheusText.Parse(await metrics.RenderAsync()).Keys.ToHashSet(StringComparer.Ordinal);
    }
}
