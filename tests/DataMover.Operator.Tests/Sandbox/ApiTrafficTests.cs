using System.Globalization;
using System.Text.RegularExpressions;
using DataMover.Operator.Controllers;

namespace DataMover.Operator.Tests.Sandbox;

/// <summary>
/// What one backup costs the API server, counted from the operator's own <c>rest_client_requests_total</c>: every
/// write (status, clone, Job, their deletion, Events) is a request the cluster must store and fan out to watchers.
/// </summary>
[Collection(SandboxCollection.Name)]
public sealed partial class ApiTrafficTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    private static readonly string[] ReadVerbs = ["GET", "LIST", "WATCH"];

    [Fact]
    public async Task ABackupThatDeletesItsCloneCostsAtMostTenWrites()
    {
        var host = await StartOperatorAsync();
        await CreateSourceAsync();

        // The namespace's first backup also creates the mover's ServiceAccount; the second is what every backup costs.
        await BackUpAsync("first");
        var before = await WritesAsync(host.MetricsUrl!);
        await BackUpAsync("second");
        var after = await WritesAsync(host.MetricsUrl!);
        var writes = after.Sum(w => w.Value) - before.Sum(w => w.Value);

        // 4 status writes (accepted, clone ready + Job recorded, cleaning up, completed), clone and Job created and
        // deleted, Events JobCreated and BackupSucceeded.
        var byRequest = string.Join(", ", after.Select(w => $"{w.Key} {w.Value - before.GetValueOrDefault(w.Key)}"));
        Assert.True(writes is >= 1 and <= 10, $"{writes} writes: {byRequest}");
        var reasons = (await EventsForAsync("second")).Select(e => e.Reason).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["BackupSucceeded", "JobCreated"], reasons);
    }

    private async Task BackUpAsync(string name)
    {
        await CreateDataMoverAsync(name, deleteClone: true, timestamp: true);
        var dm = await WaitForPhaseAsync(name, DataMoverPhase.CreatingClonedPvc);
        await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!), () => "clone");
        await BindAsync(dm.Status!.RestoredPvcName!);
        dm = await WaitForPhaseAsync(name, DataMoverPhase.CreatingPod);
        var job = await WaitAsync(async () => await Jobs.TryGetAsync(Ns, dm.Status!.JobName!), () => "job");
        await CreateJobPodAsync(job, 0, MoverResultFor(job, "my-bucket"));
        await FinishJobAsync(job.Metadata.Name!, succeeded: true);
        dm = await WaitForPhaseAsync(name, DataMoverPhase.CleaningUp);
        var terminating = await WaitAsync(async () => await Pvcs.TryGetAsync(Ns, dm.Status!.RestoredPvcName!) is { Metadata.DeletionTimestamp: not null } c ? c : null, () => "clone deleting");
        await ReleaseAsync(terminating.Metadata.Name!);
        await WaitForPhaseAsync(name, DataMoverPhase.Completed);

        // Events are sent after the write that announces them, in order: the last one in means all are.
        await WaitForEventAsync(name, "BackupSucceeded");
    }

    /// <summary>Write requests by method and response code.</summary>
    private static async Task<Dictionary<string, double>> WritesAsync(Uri metricsUrl)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(new Uri(metricsUrl, "/metrics"));
        return RequestCount().Matches(text)
            .Where(m => !ReadVerbs.Contains(m.Groups["method"].Value))
            .GroupBy(m => m.Groups["method"].Value + " " + m.Groups["code"].Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(m => double.Parse(m.Groups["count"].Value, CultureInfo.InvariantCulture)), StringComparer.Ordinal);
    }

    [GeneratedRegex("""^rest_client_requests_total\{(?=[^}]*code="(?<code>[^"]*)")[^}]*method="(?<method>[A-Z]+)"[^}]*\} (?<count>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex RequestCount();
}
