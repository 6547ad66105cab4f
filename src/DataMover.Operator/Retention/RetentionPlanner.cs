using System.Globalization;
using DataMover.Operator.Api;

namespace DataMover.Operator.Retention;

/// <summary>
/// Decides which of a schedule's complete backups a policy keeps, as restic's <c>forget --keep-*</c> does: backups newest
/// first; <c>keepLast</c> keeps the first N; each period rule keeps the newest backup of each of its N most recent periods
/// that have one; a backup kept by any rule is kept, and the newest is always kept.
/// </summary>
/// <remarks>
/// Only folders whose manifest names this schedule's uid are candidates: a folder without a manifest, or with another
/// schedule's (or no schedule's) manifest, is never deleted. A folder with a tombstone and no manifest is a prune that
/// was interrupted and is finished; a tombstone beside another schedule's manifest is left alone.
/// </remarks>
internal sealed class RetentionPlanner(TimeZoneInfo timeZone)
{
    public RetentionPlan Plan(RetentionPolicy policy, string scheduleUid, IEnumerable<BackupListing> listing)
    {
        var all = listing.ToList();
        var complete = all
            .Where(b => b is { HasManifest: true, HasTombstone: false, StartTime: not null } && b.ScheduleUid == scheduleUid)
            .OrderByDescending(b => b.StartTime)
            .ThenByDescending(b => b.Folder, StringComparer.Ordinal)
            .ToList();

        var rules = Rules(policy).ToList();
        var keep = new List<BackupListing>();
        var delete = new List<BackupListing>();
        for (var i = 0; i < complete.Count; i++)
        {
            var backup = complete[i];
            var local = TimeZoneInfo.ConvertTime(backup.StartTime!.Value, timeZone);
            var kept = i == 0;
            foreach (var rule in rules)
            {
                kept |= rule.Offer(local);
            }

            (kept ? keep : delete).Add(backup);
        }

        // The tombstone is written before the manifest is deleted, so a tombstone beside this schedule's manifest is a
        // prune that had decided to delete the folder too.
        var interrupted = all
            .Where(b => b.HasTombstone && (!b.HasManifest || b.ScheduleUid == scheduleUid))
            .Select(b => b.Folder)
            .ToList();
        return new RetentionPlan(keep, delete, interrupted);
    }

    private static IEnumerable<KeepRule> Rules(RetentionPolicy policy)
    {
        // keepLast: every backup is a period of its own.
        var sequence = 0L;
        yield return new KeepRule(policy.KeepLast ?? 0, _ => sequence++.ToString(CultureInfo.InvariantCulture));
        yield return new KeepRule(policy.KeepHourly ?? 0, t => t.ToString("yyyy-MM-dd HH", CultureInfo.InvariantCulture));
        yield return new KeepRule(policy.KeepDaily ?? 0, t => t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        yield return new KeepRule(policy.KeepWeekly ?? 0, t => $"{ISOWeek.GetYear(t.DateTime)}-W{ISOWeek.GetWeekOfYear(t.DateTime)}");
        yield return new KeepRule(policy.KeepMonthly ?? 0, t => t.ToString("yyyy-MM", CultureInfo.InvariantCulture));
        yield return new KeepRule(policy.KeepYearly ?? 0, t => t.ToString("yyyy", CultureInfo.InvariantCulture));
    }

    /// <summary>One keep rule: keeps the first backup it sees of each new period, until it has kept its count.</summary>
    private sealed class KeepRule(int count, Func<DateTimeOffset, string> period)
    {
        private int remaining = count;
        private string? lastPeriod;

        public bool Offer(DateTimeOffset time)
        {
            if (remaining <= 0)
            {
                return false;
            }

            var key = period(time);
            if (key == lastPeriod)
            {
                return false;
            }

            lastPeriod = key;
            remaining--;
            return true;
        }
    }
}
