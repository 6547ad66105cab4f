using System.Globalization;
using System.Text;
using DataMover.Kube.Client;
using DataMover.Operator.Api;
using DataMoverResource = DataMover.Operator.Api.DataMover;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>
/// What an engineer would look at when a backup test fails, gathered in one text: the DataMover's status and
/// conditions, the namespace's events, Jobs, pods (state, termination message, log tail), PVCs, and the
/// operator's log lines about the namespace. Reads only through the API, like kubectl describe.
/// </summary>
internal sealed class ScenarioDiagnostics(BackupClusterFixture cluster, string ns)
{
    private const int LogTailLines = 25;

    /// <summary>A pod's log through the API (pods/log of the mover container).</summary>
    public async Task<string> PodLogAsync(string pod)
    {
        using var response = await cluster.Http.GetAsync(new Uri(cluster.Cluster.Url, $"api/v1/namespaces/{ns}/pods/{pod}/log?container=mover"));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode
            ? body
            : throw new InvalidOperationException($"pods/log of {ns}/{pod} answered {(int)response.StatusCode}: {body}");
    }

    /// <summary>An API path's JSON as the server stores it (e.g. every DataMover or Event of the namespace).</summary>
    public async Task<string> RawAsync(string path)
    {
        using var response = await cluster.Http.GetAsync(new Uri(cluster.Cluster.Url, path));
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body : throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body}");
    }

    /// <summary>Everything worth seeing about the namespace (and one DataMover in detail); never throws.</summary>
    public async Task<string> DescribeAsync(string? dataMover = null)
    {
        var text = new StringBuilder();
        await Section(text, "DataMovers", () => DataMoversAsync(text, dataMover));
        await Section(text, "Events", () => EventsAsync(text));
        await Section(text, "PVCs", () => PvcsAsync(text));
        await Section(text, "Jobs", () => JobsAsync(text));
        await Section(text, "Pods", () => PodsAsync(text));
        text.AppendLine("--- Operator log (lines about this namespace, last 40)");
        foreach (var line in cluster.OperatorLog.Where(l => l.Contains(ns, StringComparison.Ordinal)).TakeLast(40))
        {
            text.Append("  ").AppendLine(line);
        }

        text.AppendLine("--- Sandbox warnings (last 20)");
        foreach (var line in cluster.SandboxLog.TakeLast(20))
        {
            text.Append("  ").AppendLine(line);
        }

        return text.ToString();
    }

    private static async Task Section(StringBuilder text, string title, Func<Task> write)
    {
        text.Append("--- ").AppendLine(title);
        try
        {
            await write();
        }
        catch (Exception e) when (e is KubeApiException or HttpRequestException or InvalidOperationException or TaskCanceledException)
        {
            text.Append("  (could not read: ").Append(e.Message).AppendLine(")");
        }
    }

    private async Task DataMoversAsync(StringBuilder text, string? focus)
    {
        var list = await cluster.Client.Resource(DataMoverResources.DataMovers).ListAsync(ns);
        foreach (var dm in list.Items.OrderBy(d => d.Metadata.Name != focus))
        {
            DescribeDataMover(text, dm);
        }
    }

    internal static void DescribeDataMover(StringBuilder text, DataMoverResource dm)
    {
        var s = dm.Status;
        text.Append("  ").Append(dm.Metadata.Name).Append(": phase ").Append(string.IsNullOrEmpty(s?.Phase) ? "(pending)" : s.Phase)
            .Append(", clone ").Append(s?.RestoredPvcName ?? "-").Append(", job ").Append(s?.JobName ?? "-")
            .Append(", destination ").Append(s?.Destination ?? "-").Append(", attempts ").Append(s?.Attempts?.ToString(CultureInfo.InvariantCulture) ?? "-")
            .Append(", spec ").Append(dm.Spec?.SourcePvc).Append(" secret ").Append(dm.Spec?.SecretName)
            .Append(" timestamp=").Append(dm.Spec?.AddTimestampPrefix).Append(" deleteClone=").Append(dm.Spec?.DeletePvcAfterBackup).AppendLine();
        foreach (var c in s?.Conditions ?? [])
        {
            text.Append("    ").Append(c.Type).Append('=').Append(c.Status).Append(' ').Append(c.Reason).Append(": ").AppendLine(c.Message);
        }
    }

    private async Task EventsAsync(StringBuilder text)
    {
        var events = await cluster.Client.Resource(KubeResources.Events).ListAsync(ns);
        foreach (var e in events.Items.OrderBy(e => e.LastTimestamp ?? e.EventTime ?? e.Metadata.CreationTimestamp))
        {
            text.Append("  ").Append((e.LastTimestamp ?? e.EventTime)?.ToString("HH:mm:ss", CultureInfo.InvariantCulture)).Append(' ')
                .Append(e.Type).Append(' ').Append(e.Reason).Append(' ').Append(e.InvolvedObject?.Kind).Append('/').Append(e.InvolvedObject?.Name)
                .Append(e.Count > 1 ? $" (x{e.Count})" : "").Append(": ").AppendLine(e.Message);
        }
    }

    private async Task PvcsAsync(StringBuilder text)
    {
        var pvcs = await cluster.Client.Resource(KubeResources.PersistentVolumeClaims).ListAsync(ns);
        foreach (var p in pvcs.Items)
        {
            text.Append("  ").Append(p.Metadata.Name).Append(": ").Append(p.Status?.Phase).Append(" volume ").Append(p.Spec?.VolumeName)
                .Append(p.Metadata.DeletionTimestamp is null ? "" : " (deleting)").AppendLine();
        }
    }

    private async Task JobsAsync(StringBuilder text)
    {
        var jobs = await cluster.Client.Resource(KubeResources.Jobs).ListAsync(ns);
        foreach (var j in jobs.Items)
        {
            text.Append("  ").Append(j.Metadata.Name).Append(": active ").Append(j.Status?.Active ?? 0).Append(", succeeded ").Append(j.Status?.Succeeded ?? 0)
                .Append(", failed ").Append(j.Status?.Failed ?? 0).Append(", backoffLimit ").Append(j.Spec?.BackoffLimit).AppendLine();
            foreach (var c in j.Status?.Conditions ?? [])
            {
                text.Append("    ").Append(c.Type).Append('=').Append(c.Status).Append(' ').Append(c.Reason).Append(": ").AppendLine(c.Message);
            }
        }
    }

    private async Task PodsAsync(StringBuilder text)
    {
        var pods = await cluster.Client.Resource(KubeResources.Pods).ListAsync(ns);
        foreach (var p in pods.Items.OrderBy(p => p.Metadata.CreationTimestamp))
        {
            text.Append("  ").Append(p.Metadata.Name).Append(": ").Append(p.Status?.Phase).AppendLine();
            foreach (var cs in p.Status?.ContainerStatuses ?? [])
            {
                if (cs.State?.Waiting is { } waiting)
                {
                    text.Append("    waiting ").Append(waiting.Reason).Append(": ").AppendLine(waiting.Message);
                }

                if (cs.State?.Terminated is { } terminated)
                {
                    text.Append("    terminated exit ").Append(terminated.ExitCode).Append(' ').Append(terminated.Reason).Append(": ").AppendLine(terminated.Message);
                }
            }

            string log;
            try
            {
                log = await PodLogAsync(p.Metadata.Name!);
            }
            catch (Exception e) when (e is HttpRequestException or InvalidOperationException)
            {
                log = "(no log: " + e.Message + ")";
            }

            foreach (var line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(LogTailLines))
            {
                text.Append("    | ").AppendLine(line);
            }
        }
    }
}
