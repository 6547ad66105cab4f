using System.Collections.Concurrent;
using Xunit.Sdk;
using DataMoverResource = DataMover.Operator.Api.DataMover;

namespace DataMover.EndToEnd.Tests.Backup;

/// <summary>
/// Checks what landed in a bucket independently of rclone: lists through the S3 API (AWSSDK.S3), downloads every
/// object and compares the SHA-256 of its bytes with the source file's, and reads the backup's manifest.
/// </summary>
internal static class BucketContent
{
    /// <summary>The mover's record of a complete backup, at the root of the backup's folder (docs/mover-protocol.md).</summary>
    public const string ManifestName = ".datamover-manifest.json";

    /// <summary>Downloads run in parallel; s3rver is single-threaded, so more would only queue.</summary>
    private const int Downloads = 8;

    /// <summary>
    /// Fails unless the objects under <paramref name="prefix"/> are exactly the files of <paramref name="expected"/>
    /// (relative path → SHA-256), each byte for byte, plus the manifest of <paramref name="dataMover"/>'s backup at
    /// the prefix's root, describing this very tree.
    /// </summary>
    public static async Task AssertMirrorsAsync(BackupScenario scenario, string bucket, string prefix, IReadOnlyDictionary<string, string> expected, DataMoverResource dataMover)
    {
        var name = dataMover.Metadata.Name!;
        var s3 = scenario.S3;
        var listed = await s3.ListObjectsAsync(bucket, prefix);
        var manifest = listed.FirstOrDefault(o => o.Key == prefix + ManifestName);
        var objects = listed.Where(o => o.Key != prefix + ManifestName).ToList();
        var keys = objects.Select(o => o.Key[prefix.Length..]).ToHashSet(StringComparer.Ordinal);
        var missing = expected.Keys.Where(k => !keys.Contains(k)).Order(StringComparer.Ordinal).ToList();
        var unexpected = keys.Where(k => !expected.ContainsKey(k)).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
        {
            throw new XunitException(
                $"Bucket {bucket} under \"{prefix}\" does not mirror the volume: {missing.Count} file(s) missing, {unexpected.Count} unexpected object(s).\n"
                + $"  missing: {Sample(missing)}\n  unexpected: {Sample(unexpected)}\n{await scenario.Diagnostics.DescribeAsync(name)}");
        }

        // S3 has no folders: an object key is a file's path, so a volume's empty directories leave nothing behind
        // and the object count is the regular-file count.
        Assert.True(
            objects.Count == expected.Count,
            $"expected {expected.Count} objects (one per regular file; S3 has no empty folders, so empty directories produce none), found {objects.Count} in {bucket} under \"{prefix}\"");

        var differing = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(objects, new ParallelOptions { MaxDegreeOfParallelism = Downloads }, async (obj, ct) =>
        {
            var relative = obj.Key[prefix.Length..];
            var actual = await s3.Sha256Async(bucket, obj.Key, ct);
            if (actual != expected[relative])
            {
                differing.Add($"{relative} (sha256 {actual[..12]}…, source {expected[relative][..12]}…, {obj.Size} bytes)");
            }
        });
        if (!differing.IsEmpty)
        {
            throw new XunitException(
                $"{differing.Count} of {objects.Count} objects in {bucket} under \"{prefix}\" differ from their source files: {Sample([.. differing.Order(StringComparer.Ordinal)])}\n{await scenario.Diagnostics.DescribeAsync(name)}");
        }

        if (manifest is null)
        {
            throw new XunitException(
                $"Bucket {bucket} has no {ManifestName} under \"{prefix}\": the backup is not marked complete.\n{await scenario.Diagnostics.DescribeAsync(name)}");
        }

        // Every object equals its source file, so their sizes are the volume's.
        var record = BackupManifest.Parse(await s3.ReadObjectAsync(bucket, manifest.Key));
        record.AssertDescribes(dataMover, expected.Count, objects.Sum(o => o.Size));
    }

    private static string Sample(IReadOnlyList<string> items) =>
        items.Count == 0 ? "none" : string.Join(", ", items.Take(15)) + (items.Count > 15 ? $", … ({items.Count} in all)" : "");
}
