using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>MOVER_MODE=prune: deletes exactly the named folders of this schedule, finishes interrupted prunes, dry run deletes nothing.</summary>
public sealed partial class MoverEntrypointTests
{
    private const string ScheduleUid = "3a7f0c5e-0000-4000-8000-00000000aaaa";

    private async Task<string> BucketWithScheduledBackupsAsync(string purpose)
    {
        var bucket = await NewBucketAsync(purpose);
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, purpose));
        foreach (var (folder, uid) in new[] { ("f1", ScheduleUid), ("f2", ScheduleUid), ("f3", ScheduleUid), ("other", "3a7f0c5e-0000-4000-8000-00000000bbbb") })
        {
            var run = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("DATAMOVER_PATH", "p"), ("DATAMOVER_DESTINATION_PREFIX", folder),
                ("DATAMOVER_SCHEDULE_NAME", "nightly"), ("DATAMOVER_SCHEDULE_UID", uid)));
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        await PutRawObjectAsync(bucket, "p/foreign/data.txt", "not a backup");
        return bucket;
    }

    private async Task<string[]> FoldersAsync(string bucket) =>
        (await _s3.ListObjectsAsync(bucket, "p/")).Select(o => o.Key.Split('/')[1]).Distinct().Order(StringComparer.Ordinal).ToArray();

    private Task<MoverResult> PruneAsync(string bucket, string folders, string dryRun = "false") =>
        MoverRunner.RunAsync(Path.Combine(_scratch, "no-volume-here"),
            Pod(bucket, ("MOVER_MODE", "prune"), ("DATAMOVER_PATH", "p"), ("DATAMOVER_SCHEDULE_UID", ScheduleUid),
                ("DATAMOVER_PRUNE_FOLDERS", folders), ("DATAMOVER_PRUNE_DRY_RUN", dryRun)),
            new MoverRunOptions { Direct = true });

    [Fact]
    public async Task Prune_deletes_exactly_the_named_folders_of_this_schedule()
    {
        var bucket = await BucketWithScheduledBackupsAsync("prunenamed");

        var prune = await PruneAsync(bucket, "f1\nf2\nother\nforeign");

        Assert.True(prune.ExitCode == 0, prune.ToString());
        Assert.Equal(2, prune.Json.GetProperty("pruned").GetInt32());
        Assert.Equal(["f3", "foreign", "other"], await FoldersAsync(bucket));
        var listed = prune.Json.GetProperty("backups").EnumerateArray().Select(b => b.GetProperty("f").GetString() ?? "").ToArray();
        Assert.Equal(["other", "f3"], listed);
    }

    [Fact]
    public async Task Prune_dry_run_deletes_nothing_and_lists_the_schedule()
    {
        var bucket = await BucketWithScheduledBackupsAsync("prunedry");

        var prune = await PruneAsync(bucket, "f1\nf2", dryRun: "true");

        Assert.True(prune.ExitCode == 0, prune.ToString());
        Assert.Equal(0, prune.Json.GetProperty("pruned").GetInt32());
        Assert.Equal(["f1", "f2", "f3", "foreign", "other"], await FoldersAsync(bucket));
        Assert.Contains("would prune", prune.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_prune_interrupted_after_its_tombstone_is_finished_and_never_restored()
    {
        var bucket = await BucketWithScheduledBackupsAsync("pruneresume");
        // The state a prune leaves when killed after step 2: tombstone written, manifest deleted, data still there.
        await PutRawObjectAsync(bucket, "p/f3/.datamover-pruning", "{}");
        await _s3.Client.DeleteObjectAsync(bucket, "p/f3/" + ManifestName);

        var latest = await MoverRunner.RunAsync(Path.Combine(_scratch, "no-volume-here"),
            Pod(bucket, ("MOVER_MODE", "inspect"), ("DATAMOVER_PATH", "p"), ("DATAMOVER_RESTORE_FOLDER", "latest")),
            new MoverRunOptions { Direct = true });
        Assert.True(latest.ExitCode == 0, latest.ToString());
        Assert.NotEqual("f3", latest.Field("folder"));

        var named = await MoverRunner.RunAsync(Path.Combine(_scratch, "no-volume-here"),
            Pod(bucket, ("MOVER_MODE", "inspect"), ("DATAMOVER_PATH", "p"), ("DATAMOVER_RESTORE_FOLDER", "f3")),
            new MoverRunOptions { Direct = true });
        Assert.Equal(2, named.ExitCode);

        var listing = await PruneAsync(bucket, "");
        var f3 = listing.Json.GetProperty("backups").EnumerateArray().Single(b => b.GetProperty("f").GetString() == "f3");
        Assert.True(f3.GetProperty("x").GetBoolean());
        Assert.False(f3.GetProperty("m").GetBoolean());

        var resume = await PruneAsync(bucket, "f3");
        Assert.True(resume.ExitCode == 0, resume.ToString());
        Assert.Equal(["f1", "f2", "foreign", "other"], await FoldersAsync(bucket));
    }

    [Fact]
    public async Task Prune_lists_and_deletes_through_the_crypt_remote_and_needs_the_key()
    {
        var bucket = await NewBucketAsync("prunecrypt");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "prunecrypt"));
        (string, string?)[] key = [("ENCRYPTION_PASSWORD", CryptPassword), ("DATAMOVER_PATH", "p")];
        foreach (var folder in new[] { "f1", "f2" })
        {
            var run = await MoverRunner.RunAsync(tree.Root, Pod(bucket, [.. key, ("DATAMOVER_DESTINATION_PREFIX", folder),
                ("DATAMOVER_SCHEDULE_NAME", "nightly"), ("DATAMOVER_SCHEDULE_UID", ScheduleUid)]));
            Assert.True(run.ExitCode == 0, run.ToString());
        }

        var objectsBefore = (await _s3.ListObjectsAsync(bucket, "p/")).Count;
        var prune = await MoverRunner.RunAsync(Path.Combine(_scratch, "no-volume-here"),
            Pod(bucket, [.. key, ("MOVER_MODE", "prune"), ("DATAMOVER_SCHEDULE_UID", ScheduleUid), ("DATAMOVER_PRUNE_FOLDERS", "f1")]),
            new MoverRunOptions { Direct = true });

        Assert.True(prune.ExitCode == 0, prune.ToString());
        Assert.Equal(1, prune.Json.GetProperty("pruned").GetInt32());
        // The listing is of decrypted names; the bucket holds only encrypted ones, and f1's are gone.
        var listed = prune.Json.GetProperty("backups").EnumerateArray().Select(b => b.GetProperty("f").GetString() ?? "").ToArray();
        Assert.Equal(["f2"], listed);
        var objectsAfter = await _s3.ListObjectsAsync(bucket, "p/");
        Assert.InRange(objectsAfter.Count, 2, objectsBefore - 1);
        Assert.DoesNotContain(objectsAfter, o => o.Key.Split('/').Contains("f2"));
        Assert.DoesNotContain(CryptPassword, prune.AllText, StringComparison.Ordinal);

        var withoutKey = await MoverRunner.RunAsync(Path.Combine(_scratch, "no-volume-here"),
            Pod(bucket, ("MOVER_MODE", "prune"), ("DATAMOVER_PATH", "p"), ("DATAMOVER_SCHEDULE_UID", ScheduleUid), ("DATAMOVER_PRUNE_FOLDERS", "f2")),
            new MoverRunOptions { Direct = true });
        Assert.Equal(2, withoutKey.ExitCode);
        Assert.Contains("is encrypted; the Secret has no ENCRYPTION_PASSWORD", withoutKey.AllText, StringComparison.Ordinal);
        Assert.Equal(objectsAfter.Count, (await _s3.ListObjectsAsync(bucket, "p/")).Count);
    }
}
