using System.Diagnostics;
using System.Text.Json.Nodes;
using DataMover.Operator.Tests.Support.PromQl;
using DataMover.Sandbox.ApiServer.Patching;

namespace DataMover.Operator.Tests.Support;

/// <summary>deploy/components/monitoring as shipped: its alert expressions and its dashboard's queries.</summary>
internal static class MonitoringBundle
{
    public const string Component = "deploy/components/monitoring";

    /// <summary>Series Prometheus makes itself on every scrape: not the operator's to export.</summary>
    public static readonly IReadOnlySet<string> ScrapeSeries = new HashSet<string>(StringComparer.Ordinal) { "up" };

    /// <summary>(alert name, expression) of every rule of the PrometheusRule.</summary>
    public static IReadOnlyList<(string Name, string Expression)> Alerts()
    {
        var rule = YamlJson.Parse(File.ReadAllText(Sandbox.SandboxFixture.RepoFile($"{Component}/prometheusrule.yaml")))!;
        return [.. rule["spec"]!["groups"]!.AsArray()
            .SelectMany(g => g!["rules"]!.AsArray())
            .Select(r => (r!["alert"]?.GetValue<string>() ?? r["record"]!.GetValue<string>(), r["expr"]!.GetValue<string>()))];
    }

    /// <summary>(panel title, expression) of every query of the dashboard.</summary>
    public static IReadOnlyList<(string Panel, string Expression)> DashboardQueries()
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(Sandbox.SandboxFixture.RepoFile($"{Component}/datamover-dashboard.json")))!;
        return [.. dashboard["panels"]!.AsArray()
            .SelectMany(p => p!["targets"]!.AsArray().Select(t => (p["title"]!.GetValue<string>(), t!["expr"]!.GetValue<string>())))];
    }

    /// <summary>Each expression whose metrics are not all in <paramref name="exported"/>, with the names missing.</summary>
    public static IReadOnlyList<string> Unknown(IEnumerable<(string Where, string Expression)> expressions, IReadOnlySet<string> exported) =>
        [.. expressions
            .Select(e => (e.Where, Missing: PromQlParser.MetricNames(e.Expression).Select(FamilyOf).Where(n => !exported.Contains(n) && !ScrapeSeries.Contains(n)).ToList()))
            .Where(e => e.Missing.Count > 0)
            .Select(e => $"{e.Where}: {string.Join(", ", e.Missing)}")];

    /// <summary>The family a sample name belongs to: histograms are queried through _bucket, _sum and _count.</summary>
    public static string FamilyOf(string sampleName)
    {
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sampleName.EndsWith(suffix, StringComparison.Ordinal))
            {
                return sampleName[..^suffix.Length];
            }
        }

        return sampleName;
    }

    /// <summary>Renders the operator with the component through kubectl kustomize, as a user's kustomization would include it.</summary>
    public static async Task<string> RenderAsync()
    {
        var dir = Directory.CreateTempSubdirectory("datamover-monitoring-");
        try
        {
            // kustomize takes relative paths only, and refuses an overlay inside the root it includes.
            var deploy = Path.GetRelativePath(dir.FullName, Sandbox.SandboxFixture.RepoFile("deploy"));
            await File.WriteAllTextAsync(Path.Combine(dir.FullName, "kustomization.yaml"),
                $"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - {deploy}\ncomponents:\n  - {deploy}/components/monitoring\n");
            var start = new ProcessStartInfo("kubectl", ["kustomize", dir.FullName]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"kubectl kustomize failed: {error}");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
