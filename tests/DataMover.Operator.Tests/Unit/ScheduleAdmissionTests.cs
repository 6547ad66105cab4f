using System.Globalization;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Scheduling;
using DataMover.Operator.Security;
using DataMover.Operator.Tests.Scheduling;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMover.Operator.Tests.Unit;

/// <summary>
/// A schedule whose mover settings are refused (or whose retention has no folder per run to prune) creates no run,
/// says so in Ready, and resumes once fixed.
/// </summary>
public sealed class ScheduleAdmissionTests
{
    private static readonly DateTimeOffset T0 = At("10:00:30");

    private readonly FakeTimeProvider _time = new(T0);
    private readonly InMemoryScheduleStore _store;
    private readonly RecordingEvents _events = new();
    private readonly ScheduleReconciler _reconciler;

    public ScheduleAdmissionTests()
    {
        _store = new InMemoryScheduleStore(_time);
        var admission = new MoverAdmission(new MoverImagePolicy("example/mover:1.0", []), MoverPodSettingsPolicy.For(allowMoverRoot: false));
        _reconciler = new ScheduleReconciler(_store, _events, _time, NullLogger.Instance, admission);
    }

    private static DateTimeOffset At(string hhmmss) => DateTimeOffset.Parse("2026-11-21T" + hhmmss + "Z", CultureInfo.InvariantCulture);

    private Condition Ready => _store.Schedule("backup").Status!.Conditions!.Single(c => c.Type == ScheduleReasons.ReadyCondition);

    private async Task ReconcileAtAsync(string hhmmss)
    {
        _time.SetUtcNow(At(hhmmss));
        await _reconciler.ReconcileAsync("default/backup", CancellationToken.None);
    }

    [Theory]
    [InlineData("BASH_ENV", null, "EnvNotAllowed")]
    [InlineData("RCLONE_TRANSFERS", "busybox", "ImageNotAllowed")]
    public async Task RefusedSettingsCreateNoRunUntilFixed(string env, string? image, string reason)
    {
        _store.AddSchedule("backup", new DataMoverScheduleSpec
        {
            Schedule = "* * * * *",
            SourcePvc = "data",
            SecretName = "s3",
            AdditionalEnv = [new EnvVar { Name = env, Value = "x" }],
            Image = image is null ? null : new MoverImage { Repository = image },
        });
        await ReconcileAtAsync("10:00:30");
        await ReconcileAtAsync("10:01:00");
        await ReconcileAtAsync("10:02:00");
        Assert.Empty(_store.Runs);
        Assert.Equal(("False", reason), (Ready.Status, Ready.Reason));
        Assert.Contains(image ?? env, Ready.Message, StringComparison.Ordinal);
        Assert.Equal(1, _events.Count(reason));

        // Fixed: the times that passed while refused are skipped, not replayed; the next one runs.
        _store.UpdateSpec("backup", s => s with { AdditionalEnv = [new EnvVar { Name = "RCLONE_TRANSFERS", Value = "2" }], Image = null });
        await ReconcileAtAsync("10:02:10");
        Assert.Empty(_store.Runs);
        Assert.Equal("True", Ready.Status);
        await ReconcileAtAsync("10:03:00");
        Assert.Single(_store.Runs);
    }

    [Fact]
    public async Task RetentionWithoutTimestampFoldersIsRefusedUntilFixed()
    {
        _store.AddSchedule("backup", new DataMoverScheduleSpec
        {
            Schedule = "* * * * *",
            SourcePvc = "data",
            SecretName = "s3",
            Retention = new RetentionPolicy { KeepLast = 3 },
        });
        await ReconcileAtAsync("10:00:30");
        await ReconcileAtAsync("10:01:00");
        Assert.Empty(_store.Runs);
        Assert.Equal(("False", ScheduleReasons.RetentionNeedsTimestampFolders), (Ready.Status, Ready.Reason));
        Assert.Contains("addTimestampPrefix", Ready.Message, StringComparison.Ordinal);
        Assert.Equal(1, _events.Count(ScheduleReasons.RetentionNeedsTimestampFolders));

        _store.UpdateSpec("backup", s => s with { AddTimestampPrefix = true });
        await ReconcileAtAsync("10:01:10");
        Assert.Equal("True", Ready.Status);
        await ReconcileAtAsync("10:02:00");
        Assert.Single(_store.Runs);
    }
}
