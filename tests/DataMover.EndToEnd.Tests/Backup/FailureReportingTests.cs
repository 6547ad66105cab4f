using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using DataMover.EndToEnd.Tests.Support;
using DataMover.Kube.Models;
using Xunit.Sdk;
using DataMoverResource = DataMover.Operator.Api.DataMover;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>
/// Backups that cannot succeed: the user must learn why from the DataMover itself, after the Job's retries where a
/// retry could help, at once where it cannot, and without the credentials showing up anywhere.
/// </summary>
public sealed class FailureReportingTests(BackupClusterFixture cluster) : IClassFixture<BackupClusterFixture>
{
    /// <summary>backoffLimit 2: the first pod and two retries.</summary>
    private const int MoverAttempts = 3;

    [Fact]
    public async Task Wrong_credentials_fail_at_once_with_an_authentication_message_and_leak_nowhere()
    {
        var scenario = await cluster.NewScenarioAsync("wrong-creds");
        var bucket = await scenario.NewBucketAsync("wrong-creds");
        // Unique values, so finding them anywhere can only mean they leaked from this Secret.
        var keyId = "AKIAE2E" + Convert.ToHexString(RandomNumberGenerator.GetBytes(7));
        var secretKey = "e2e-secret-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        await scenario.CreateStorageSecretAsync("storage", bucket, ("AWS_ACCESS_KEY_ID", keyId), ("AWS_SECRET_ACCESS_KEY", secretKey));
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        SampleTree.CreateSmall(volume);

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage");
        var dm = await scenario.WaitForEndAsync("backup", "Failed");

        // s3rver answers an unknown key id with InvalidAccessKeyId; the mover calls that "authentication refused".
        await scenario.AssertFailedBecauseAsync(dm, "authentication");
        // Exit 3 is permanent: the Job's podFailurePolicy fails it on the first attempt instead of retrying.
        var pods = await AssertAttemptsFailedAsync(scenario, dm, attempts: 1);
        Assert.Empty(await scenario.S3.ListObjectsAsync(bucket));

        foreach (var secret in new[] { keyId, secretKey })
        {
            await AssertNotLeakedAsync(scenario, secret, pods);
        }
    }

    [Fact]
    public async Task Unreachable_endpoint_fails_after_the_retries_saying_unreachable()
    {
        var scenario = await cluster.NewScenarioAsync("unreachable");
        var closedPort = ClosedLoopbackPort();
        await scenario.CreateStorageSecretAsync("storage", "never-reached", ("BUCKET_PORT", closedPort.ToString(CultureInfo.InvariantCulture)));
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        SampleTree.CreateSmall(volume);

        await scenario.CreateDataMoverAsync("backup", "app-data", "storage");
        var dm = await scenario.WaitForEndAsync("backup", "Failed");

        var failed = await scenario.AssertFailedBecauseAsync(dm, "unreachable");
        Assert.Contains($"127.0.0.1:{closedPort}", failed.Message, StringComparison.Ordinal);
        await AssertAttemptsFailedAsync(scenario, dm, MoverAttempts);
    }

    [Fact]
    public async Task Missing_secret_is_reported_by_name_within_seconds_and_the_backup_runs_once_it_exists()
    {
        var scenario = await cluster.NewScenarioAsync("no-secret");
        var bucket = await scenario.NewBucketAsync("late-secret");
        var volume = await scenario.CreateSourceVolumeAsync("app-data");
        var tree = SampleTree.CreateSmall(volume);
        var expected = "secret \"late-credentials\" not found";
        var clock = Stopwatch.StartNew();

        await scenario.CreateDataMoverAsync("backup", "app-data", "late-credentials");
        // Cloning, scheduling the pod and the kubelet's CreateContainerConfigError take seconds; a Job timeout
        // (none is set) or retries would take minutes.
        var dm = await scenario.WaitForAsync(
            scenario.DataMovers,
            "backup",
            d => d?.Status?.Conditions?.Any(c => c.Message?.Contains(expected, StringComparison.Ordinal) == true) == true || IsTerminal(d),
            $"a condition saying {expected}",
            TimeSpan.FromSeconds(60));

        var elapsed = clock.Elapsed;
        var reported = dm!.Status!.Conditions!.FirstOrDefault(c => c.Message?.Contains(expected, StringComparison.Ordinal) == true);
        if (reported is null)
        {
            throw new XunitException($"DataMover ended {dm.Status.Phase} without naming the missing secret.\n{await scenario.Diagnostics.DescribeAsync("backup")}");
        }

        Assert.True(elapsed < TimeSpan.FromSeconds(30), $"the missing secret was reported after {elapsed.TotalSeconds:0.0}s");
        // docs/operator.md: blocked, not failed (Progressing=False, MoverPodBlocked); creating the Secret unblocks it.
        Assert.Equal(("Progressing", "False", "MoverPodBlocked"), (reported.Type, reported.Status, reported.Reason));
        Assert.Equal("CreatingPod", dm.Status.Phase);

        await scenario.CreateStorageSecretAsync("late-credentials", bucket);
        var completed = await scenario.WaitForEndAsync("backup", "Completed");
        await BucketContent.AssertMirrorsAsync(scenario, bucket, "", tree.FileHashes, completed);
    }

    private static bool IsTerminal(DataMoverResource? dm) => dm?.Status?.Phase is "Completed" or "Failed";

    /// <summary>The Job ran exactly its attempts, each pod failed, and the DataMover says so.</summary>
    private static async Task<IReadOnlyList<Pod>> AssertAttemptsFailedAsync(BackupScenario scenario, DataMoverResource dm, int attempts)
    {
        var pods = await scenario.PodsOfJobAsync(dm.Status!.JobName!);
        if (pods.Count != attempts || pods.Any(p => p.Status?.Phase != "Failed"))
        {
            throw new XunitException(
                $"expected {attempts} failed mover pods before Failed, found {pods.Count}: {string.Join(", ", pods.Select(p => $"{p.Metadata.Name} {p.Status?.Phase}"))}\n"
                + await scenario.Diagnostics.DescribeAsync("backup"));
        }

        Assert.Equal(attempts, dm.Status.Attempts);
        return pods;
    }

    /// <summary>The value appears in no DataMover, Event, Job, Pod (as stored by the API server), pod log or operator log line.</summary>
    private async Task AssertNotLeakedAsync(BackupScenario scenario, string value, IReadOnlyList<Pod> pods)
    {
        var ns = scenario.Namespace;
        var places = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DataMovers"] = await scenario.Diagnostics.RawAsync($"apis/datamover.a-cup-of.coffee/v1alpha1/namespaces/{ns}/datamovers"),
            ["Events (v1)"] = await scenario.Diagnostics.RawAsync($"api/v1/namespaces/{ns}/events"),
            ["Events (events.k8s.io)"] = await scenario.Diagnostics.RawAsync($"apis/events.k8s.io/v1/namespaces/{ns}/events"),
            ["Jobs"] = await scenario.Diagnostics.RawAsync($"apis/batch/v1/namespaces/{ns}/jobs"),
            ["Pods"] = await scenario.Diagnostics.RawAsync($"api/v1/namespaces/{ns}/pods"),
            ["operator log"] = string.Join('\n', cluster.OperatorLog),
        };
        foreach (var pod in pods)
        {
            places[$"log of pod {pod.Metadata.Name}"] = await scenario.PodLogAsync(pod.Metadata.Name!);
        }

        // The checks must look at real content, or an empty answer would pass them.
        Assert.Contains("authentication", places[$"log of pod {pods[0].Metadata.Name}"], StringComparison.Ordinal);
        Assert.Contains("authentication", places["DataMovers"], StringComparison.Ordinal);
        foreach (var (place, text) in places)
        {
            Assert.False(text.Contains(value, StringComparison.Ordinal), $"a credential from the Secret appears in the {place}");
        }
    }

    private static int ClosedLoopbackPort()
    {
        // Bound and released: nothing listens there, so connections are refused at once.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
