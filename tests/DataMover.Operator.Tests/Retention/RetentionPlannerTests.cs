using DataMover.Operator.Api;
using DataMover.Operator.Retention;

namespace DataMover.Operator.Tests.Retention;

public sealed class RetentionPlannerTests
{
    private const string Uid = "5c1e0d2a-0000-4000-8000-000000000001";
    private const string OtherUid = "5c1e0d2a-0000-4000-8000-000000000002";
    private static readonly RetentionPlanner Utc = new(TimeZoneInfo.Utc);

    private static BackupListing Backup(DateTimeOffset start, string uid = Uid) =>
        new(start.ToString("yyyy-MM-dd-HHmmss", System.Globalization.CultureInfo.InvariantCulture), start, uid, HasManifest: true, HasTombstone: false);

    private static IReadOnlyList<BackupListing> Minutely(int count) =>
        Enumerable.Range(0, count).Select(i => Backup(new DateTimeOffset(2026, 11, 30, 10, i, 0, TimeSpan.Zero))).ToList();

    private static string[] Folders(IEnumerable<BackupListing> backups) => backups.Select(b => b.Folder).ToArray();

    [Fact]
    public void KeepLastKeepsTheNewestNAndDeletesTheRest()
    {
        var backups = Minutely(5);
        var plan = Utc.Plan(new RetentionPolicy { KeepLast = 3 }, Uid, backups);

        Assert.Equal(Folders(backups.Reverse().Take(3)), Folders(plan.Keep));
        Assert.Equal(Folders(backups.Take(2).Reverse()), Folders(plan.Delete));
        Assert.Equal(backups[2].Folder, plan.OldestKept?.Folder);
    }

    [Fact]
    public void TheNewestCompleteBackupIsAlwaysKept()
    {
        var backups = Minutely(3);
        var plan = Utc.Plan(new RetentionPolicy { KeepYearly = 0, KeepLast = 0 }, Uid, backups);

        Assert.Equal([backups[2].Folder], Folders(plan.Keep));
        Assert.Equal(2, plan.Delete.Count);
    }

    [Fact]
    public void KeepDailyKeepsTheNewestBackupOfEachOfTheMostRecentDays()
    {
        var backups = new[]
        {
            Backup(new DateTimeOffset(2026, 11, 27, 23, 0, 0, TimeSpan.Zero)),
            Backup(new DateTimeOffset(2026, 11, 28, 1, 0, 0, TimeSpan.Zero)),
            Backup(new DateTimeOffset(2026, 11, 28, 22, 0, 0, TimeSpan.Zero)),
            Backup(new DateTimeOffset(2026, 11, 30, 3, 0, 0, TimeSpan.Zero)),
            Backup(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero)),
        };

        var plan = Utc.Plan(new RetentionPolicy { KeepDaily = 2 }, Uid, backups);

        // Days with a backup count, days without one do not (29th): the newest of the 30th and of the 28th.
        Assert.Equal([backups[4].Folder, backups[2].Folder], Folders(plan.Keep));
    }

    [Fact]
    public void KeepWeeklyUsesIsoWeeksAndKeepMonthlyCalendarMonths()
    {
        var backups = new[]
        {
            Backup(new DateTimeOffset(2026, 10, 20, 12, 0, 0, TimeSpan.Zero)), // October
            Backup(new DateTimeOffset(2026, 10, 31, 12, 0, 0, TimeSpan.Zero)), // October, ISO week 44 (Saturday)
            Backup(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero)),  // November, ISO week 44 (Sunday)
            Backup(new DateTimeOffset(2026, 11, 2, 12, 0, 0, TimeSpan.Zero)),  // November, ISO week 45 (Monday)
        };

        var weekly = Utc.Plan(new RetentionPolicy { KeepWeekly = 2 }, Uid, backups);
        Assert.Equal([backups[3].Folder, backups[2].Folder], Folders(weekly.Keep));

        var monthly = Utc.Plan(new RetentionPolicy { KeepMonthly = 2 }, Uid, backups);
        Assert.Equal([backups[3].Folder, backups[1].Folder], Folders(monthly.Keep));
    }

    [Fact]
    public void RulesAddUpAsInRestic()
    {
        var backups = Minutely(4).Concat([Backup(new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero))]).ToList();

        var plan = Utc.Plan(new RetentionPolicy { KeepLast = 1, KeepDaily = 2 }, Uid, backups);

        Assert.Equal([backups[3].Folder, backups[4].Folder], Folders(plan.Keep));
        Assert.Equal(3, plan.Delete.Count);
    }

    [Fact]
    public void DaysFollowTheSchedulesTimeZone()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        // 23:30 UTC is already the next day in Paris, so the two backups fall on different Paris days.
        var backups = new[]
        {
            Backup(new DateTimeOffset(2026, 11, 29, 22, 30, 0, TimeSpan.Zero)),
            Backup(new DateTimeOffset(2026, 11, 29, 23, 30, 0, TimeSpan.Zero)),
        };

        Assert.Single(Utc.Plan(new RetentionPolicy { KeepDaily = 2 }, Uid, backups).Keep);
        Assert.Equal(2, new RetentionPlanner(paris).Plan(new RetentionPolicy { KeepDaily = 2 }, Uid, backups).Keep.Count);
    }

    [Fact]
    public void ForeignIncompleteAndOtherSchedulesFoldersAreNeverCandidates()
    {
        var own = Minutely(4);
        var foreign = new BackupListing("hand-made", null, null, HasManifest: false, HasTombstone: false);
        var incomplete = new BackupListing("2026-11-30-095900", null, null, HasManifest: false, HasTombstone: false);
        var other = Backup(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), OtherUid);
        var unscheduled = Backup(new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero)) with { ScheduleUid = null };

        var plan = Utc.Plan(new RetentionPolicy { KeepLast = 1 }, Uid, own.Concat([foreign, incomplete, other, unscheduled]));

        Assert.Equal(Folders(own.Take(3).Reverse()), Folders(plan.Delete));
        Assert.Empty(plan.FinishInterrupted);
    }

    [Fact]
    public void AnInterruptedPruneIsFinishedAndItsFolderIsNoLongerABackup()
    {
        var own = Minutely(2);
        var interrupted = new BackupListing("2026-11-30-095800", null, null, HasManifest: false, HasTombstone: true);
        var tombstonedButWhole = own[0] with { HasTombstone = true };

        var plan = Utc.Plan(new RetentionPolicy { KeepLast = 5 }, Uid, [interrupted, tombstonedButWhole, own[1]]);

        Assert.Equal([interrupted.Folder, tombstonedButWhole.Folder], plan.FinishInterrupted);
        Assert.Equal([own[1].Folder], Folders(plan.Keep));
        Assert.Empty(plan.Delete);
    }

    [Fact]
    public void ATombstoneBesideAnotherSchedulesManifestIsLeftAlone()
    {
        var other = Backup(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero), OtherUid) with { HasTombstone = true };

        Assert.Empty(Utc.Plan(new RetentionPolicy { KeepLast = 1 }, Uid, [other]).FinishInterrupted);
    }

    [Fact]
    public void NoCompleteBackupMeansNothingKeptAndNothingDeleted()
    {
        var plan = Utc.Plan(new RetentionPolicy { KeepLast = 1 }, Uid, []);

        Assert.Empty(plan.Keep);
        Assert.Empty(plan.Delete);
        Assert.Null(plan.OldestKept);
    }
}
