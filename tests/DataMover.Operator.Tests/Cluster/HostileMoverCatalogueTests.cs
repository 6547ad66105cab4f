using System.Text.Json;
using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Controllers;
using DataMover.Operator.Scheduling;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>
/// A tenant who may create DataMovers and schedules tries to turn them into a pod of their choosing (issue 10): each
/// attempt is refused at acceptance with a reason that names what was refused, or runs safely; and no Secret value
/// ever shows in status, events or the operator's log. The Secret holds canaries; so do the hostile values.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HostileMoverCatalogueTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    private const string Canary = "canary-5ec7e7";

    /// <summary>The storage Secret: canary credentials and keys that would be hostile if they reached the mover unprefixed.</summary>
    private static readonly Dictionary<string, string> HostileSecret = new()
    {
        ["AWS_SECRET_ACCESS_KEY"] = Canary + "-secret-key",
        ["BASH_ENV"] = $"$(echo {Canary}-bash-env >&2)",
        ["SHELLOPTS"] = "xtrace",
        ["LD_PRELOAD"] = "/tmp/" + Canary + ".so",
        ["PATH"] = "/tmp/" + Canary,
        ["MOVER_SOURCE_DIR"] = "/etc",
    };

    public static TheoryData<string, string> RefusedEnv => new()
    {
        { "BASH_ENV", "changes how the shell" },
        { "ENV", "changes how the shell" },
        { "SHELLOPTS", "changes how the shell" },
        { "BASHOPTS", "changes how the shell" },
        { "LD_PRELOAD", "changes how the shell, the loader" },
        { "PATH", "changes how the shell" },
        { "HOME", "set by the operator" },
        { "IFS", "changes how the shell" },
        { "MOVER_SOURCE_DIR", "the mover's own variable" },
        { "TERMINATION_MESSAGE_PATH", "changes how the shell" },
        { "RCLONE_CONFIG", "selects another rclone config" },
        { "RCLONE_PASSWORD_COMMAND", "runs a program" },
        { "RCLONE_DUMP", "dumps requests and credentials" },
        { "RCLONE_CONFIG_DATAMOVER_ENDPOINT", "redirects the mover's own remote" },
        { "DATAMOVER_DESTINATION_PREFIX", "set by the operator" },
        { "MOVER_MODE", "set by the operator" },
    };

    [Theory]
    [MemberData(nameof(RefusedEnv))]
    public async Task AdditionalEnvThatSteersTheMoverIsRefusedAtAcceptance(string name, string why)
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials", HostileSecret);
        await CreateAsync(ns, "hostile", new DataMoverSpec
        {
            SourcePvc = "web-app-data",
            SecretName = "storage-credentials",
            AdditionalEnv =
            [
                new EnvVar { Name = name, Value = $"$(echo {Canary}-value)" },
                new EnvVar { Name = "RCLONE_TRANSFERS", Value = "2" },
            ],
        });
        var failed = await FailedAsync(ns, "hostile");
        Assert.Equal("EnvNotAllowed", failed.Reason);
        Assert.Contains($"{name} ({why}", failed.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("RCLONE_TRANSFERS", failed.Message, StringComparison.Ordinal);
        await EventuallyAsync(async () => (await EventsAsync(ns)).Any(e => e.Reason == "EnvNotAllowed" && e.Type == "Warning"), "EnvNotAllowed event");
        Assert.Empty((await Pvcs.ListAsync(ns, new ListOptions { LabelSelector = DataMoverLabels.CreatedBySelector })).Items);
        Assert.Empty((await Jobs.ListAsync(ns)).Items);
        await AssertNoCanaryAsync(ns);
    }

    [Fact]
    public async Task ASecretKeyRefToAnotherSecretIsRefusedForARefusedName()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials", HostileSecret);
        await CreateAsync(ns, "hostile", new DataMoverSpec
        {
            SourcePvc = "web-app-data",
            SecretName = "storage-credentials",
            AdditionalEnv = [new EnvVar { Name = "BASH_ENV", ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = "storage-credentials", Key = "BASH_ENV" } } }],
        });
        Assert.Equal("EnvNotAllowed", (await FailedAsync(ns, "hostile")).Reason);
        await AssertNoCanaryAsync(ns);
    }

    public static TheoryData<string, string?> RefusedImages => new()
    {
        { "busybox", null },
        { "docker.io/library/busybox", "latest" },
        // The allowed repository's path under another registry.
        { "other.local/mover", "test" },
        { "example.local.evil.io/mover", "test" },
    };

    [Theory]
    [MemberData(nameof(RefusedImages))]
    public async Task AnImageOutsideTheAllowlistIsRefusedAtAcceptance(string repository, string? tag)
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials", HostileSecret);
        await CreateAsync(ns, "image", new DataMoverSpec
        {
            SourcePvc = "web-app-data",
            SecretName = "storage-credentials",
            Image = new MoverImage { Repository = repository, Tag = tag },
        });
        var failed = await FailedAsync(ns, "image");
        Assert.Equal("ImageNotAllowed", failed.Reason);
        Assert.Contains("--allowed-mover-images", failed.Message, StringComparison.Ordinal);
        Assert.Contains("example.local/mover", failed.Message, StringComparison.Ordinal);
        Assert.Empty((await Jobs.ListAsync(ns)).Items);
        await AssertNoCanaryAsync(ns);
    }

    /// <summary>
    /// Allowed on purpose (docs/security.md): the storage keys are the tenant's own destination and credentials, so
    /// overriding them redirects only the tenant's own backup. The hostile Secret keys arrive prefixed and are ignored.
    /// </summary>
    [Fact]
    public async Task StorageKeysInAdditionalEnvAndHostileSecretKeysRunSafely()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        await SecretAsync(ns, "storage-credentials", HostileSecret);
        await CreateAsync(ns, "storage-keys", new DataMoverSpec
        {
            SourcePvc = "web-app-data",
            SecretName = "storage-credentials",
            AdditionalEnv =
            [
                new EnvVar { Name = "AWS_ACCESS_KEY_ID", ValueFrom = new EnvVarSource { SecretKeyRef = new KeySelector { Name = "storage-credentials", Key = "AWS_SECRET_ACCESS_KEY" } } },
                new EnvVar { Name = "BUCKET_PORT", Value = "9000" },
            ],
        });
        var dm = await PhaseAsync(ns, "storage-keys", DataMoverPhase.Completed);
        Assert.Equal("s3://bucket-storage-credentials/", dm.Status!.Destination);
        var pod = (await Jobs.GetAsync(ns, "storage-keys-mover")).Spec!.Template.Spec!;
        Assert.Equal("DATAMOVER_SECRET_", Assert.Single(pod.Containers[0].EnvFrom!).Prefix);
        Assert.Equal(("datamover-mover", false), (pod.ServiceAccountName, pod.AutomountServiceAccountToken));
        var ignored = await EventuallyAsync(async () => (await EventsAsync(ns)).FirstOrDefault(e => e.Reason == "SecretKeysIgnored"), "SecretKeysIgnored event");
        foreach (var key in new[] { "BASH_ENV", "SHELLOPTS", "LD_PRELOAD", "PATH", "MOVER_SOURCE_DIR" })
        {
            Assert.Contains(key, ignored.Message, StringComparison.Ordinal);
        }

        await AssertNoCanaryAsync(ns);
    }

    [Fact]
    public async Task ExitZeroWithAPlainMessageIsNotABackup()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "web-app-data");
        var extra = new Dictionary<string, string>(HostileSecret) { [ClusterFixture.PlainExitKey] = $"copied nothing; AWS_SECRET_ACCESS_KEY={Canary}" };
        await SecretAsync(ns, "storage-credentials", extra);
        await CreateAsync(ns, "plain", new DataMoverSpec { SourcePvc = "web-app-data", SecretName = "storage-credentials" });
        var failed = await FailedAsync(ns, "plain");
        Assert.Equal("MoverResultInvalid", failed.Reason);
        Assert.Contains("copied nothing", failed.Message, StringComparison.Ordinal);
        Assert.Null((await DataMovers.GetAsync(ns, "plain")).Status!.Destination);
        await AssertNoCanaryAsync(ns);
    }

    [Theory]
    [InlineData("BASH_ENV", null, "EnvNotAllowed")]
    [InlineData("RCLONE_CONFIG", null, "EnvNotAllowed")]
    [InlineData("ENCRYPTION_PASSWORD", null, "EnvNotAllowed")]
    [InlineData(null, "busybox", "ImageNotAllowed")]
    public async Task AScheduleThatWouldRunAHostileMoverIsNotReadyAndCreatesNoRun(string? env, string? image, string reason)
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SecretAsync(ns, "storage-credentials", HostileSecret);
        var schedules = Client.Resource(DataMoverResources.Schedules);
        await schedules.CreateAsync(new DataMoverSchedule
        {
            Metadata = new ObjectMeta { Name = "hostile", Namespace = ns },
            Spec = new DataMoverScheduleSpec
            {
                Schedule = "* * * * *",
                SourcePvc = "web-app-data",
                SecretName = "storage-credentials",
                AdditionalEnv = env is null ? null : [new EnvVar { Name = env, Value = $"$(echo {Canary})" }],
                Image = image is null ? null : new MoverImage { Repository = image },
            },
        });
        var ready = await EventuallyAsync(async () =>
            Conditions.Find((await schedules.GetAsync(ns, "hostile")).Status?.Conditions, ScheduleReasons.ReadyCondition) is { Status: "False" } c && c.Reason == reason ? c : null, $"Ready=False {reason}");
        Assert.Contains(env ?? "busybox", ready.Message, StringComparison.Ordinal);
        await EventuallyAsync(async () => (await EventsAsync(ns)).Any(e => e.Reason == reason && e.Type == "Warning"), $"{reason} event");
        Assert.Empty((await DataMovers.ListAsync(ns)).Items);
        await AssertNoCanaryAsync(ns);
    }

    private async Task<Condition> FailedAsync(string ns, string name) =>
        Conditions.Find((await PhaseAsync(ns, name, DataMoverPhase.Failed)).Status!.Conditions, ConditionTypes.Failed)!;

    private async Task<IReadOnlyList<Event>> EventsAsync(string ns) => (await Client.Resource(KubeResources.Events).ListAsync(ns)).Items;

    /// <summary>No canary in any DataMover's or schedule's status, any event of the namespace, or the operator's log.</summary>
    private async Task AssertNoCanaryAsync(string ns)
    {
        foreach (var dm in (await DataMovers.ListAsync(ns)).Items)
        {
            Assert.DoesNotContain(Canary, JsonSerializer.Serialize(dm.Status, OperatorJsonContext.Default.DataMoverStatus), StringComparison.Ordinal);
        }

        foreach (var schedule in (await Client.Resource(DataMoverResources.Schedules).ListAsync(ns)).Items)
        {
            Assert.DoesNotContain(Canary, JsonSerializer.Serialize(schedule.Status, OperatorJsonContext.Default.DataMoverScheduleStatus), StringComparison.Ordinal);
        }

        foreach (var e in await EventsAsync(ns))
        {
            Assert.DoesNotContain(Canary, e.Message ?? "", StringComparison.Ordinal);
        }

        Assert.DoesNotContain(Fixture.OperatorLog.Lines, l => l.Contains(Canary, StringComparison.Ordinal));
    }
}
