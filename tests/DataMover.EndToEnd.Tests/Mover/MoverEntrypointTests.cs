using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>
/// mover/entrypoint.sh against a real S3 server (s3rver), run like the sandbox runs the mover
/// container (see <see cref="MoverRunner"/>). Each test uses its own bucket. Linux only
/// (bash, bubblewrap, Unix file modes), like the mover itself.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed partial class MoverEntrypointTests : IClassFixture<S3ServerFixture>, IDisposable
{
    private readonly S3Server _s3;
    private readonly string _scratch;

    public MoverEntrypointTests(S3ServerFixture fixture)
    {
        _s3 = fixture.Server;
        _scratch = Directory.CreateTempSubdirectory("datamover-mover-test-").FullName;
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Realistic_volume_lands_byte_for_byte_at_the_bucket_root()
    {
        var bucket = await NewBucketAsync("realistic");
        var tree = SampleTree.CreateRealistic(Path.Combine(_scratch, "data"));
        // Symbolic links are kept as rclone's ".rclonelink" objects holding the link target.
        File.CreateSymbolicLink(Path.Combine(tree.Root, "current"), "README.txt");

        var result = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "")));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("", result.StandardError.Trim());
        var expected = tree.FileHashes.ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal);
        expected["current.rclonelink"] = Sha256Hex("README.txt");
        await AssertBucketHoldsAsync(bucket, "", expected);
        Assert.Contains($"transferred {expected.Count} files", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains($"verified {expected.Count} files", result.TerminationMessage, StringComparison.Ordinal);
        if (MoverRunner.SandboxAvailable)
        {
            Assert.Contains("source /data/ -> destination datamover:", result.StandardOutput, StringComparison.Ordinal);
            Assert.Contains("running as uid 65534", result.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Operator_prefix_is_used_verbatim_even_when_timestamps_are_requested()
    {
        var bucket = await NewBucketAsync("prefix");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, Pod(
            bucket, ("DATAMOVER_DESTINATION_PREFIX", "2024-08-06-143052"), ("ADD_TIMESTAMP_PREFIX", "true")));

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertBucketHoldsAsync(bucket, "2024-08-06-143052/", tree.FileHashes);
        // The files plus the backup's manifest, nothing else.
        Assert.Equal(tree.FileHashes.Count + 1, (await _s3.ListObjectsAsync(bucket)).Count);
    }

    [Fact]
    public async Task Empty_operator_prefix_means_bucket_root_even_when_timestamps_are_requested()
    {
        var bucket = await NewBucketAsync("rootprefix");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, Pod(
            bucket, ("DATAMOVER_DESTINATION_PREFIX", ""), ("ADD_TIMESTAMP_PREFIX", "true")));

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertBucketHoldsAsync(bucket, "", tree.FileHashes);
    }

    [Fact]
    public async Task Without_operator_prefix_ADD_TIMESTAMP_PREFIX_uses_the_current_UTC_time()
    {
        var bucket = await NewBucketAsync("timestamp");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var before = TruncateToSeconds(DateTime.UtcNow);

        var result = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("ADD_TIMESTAMP_PREFIX", "true")));

        var after = DateTime.UtcNow;
        Assert.True(result.ExitCode == 0, result.ToString());
        var folders = (await _s3.ListObjectsAsync(bucket)).Select(o => o.Key.Split('/')[0]).Distinct().ToList();
        var folder = Assert.Single(folders);
        Assert.Matches(TimestampFolder(), folder);
        var stamp = DateTime.ParseExact(folder, "yyyy-MM-dd-HHmmss", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(stamp, before, after);
        await AssertBucketHoldsAsync(bucket, folder + "/", tree.FileHashes);
    }

    [Fact]
    public async Task Outside_a_container_MOVER_SOURCE_DIR_and_TERMINATION_MESSAGE_PATH_replace_the_pod_paths()
    {
        var bucket = await NewBucketAsync("direct");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "direct")), direct: true);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"source {tree.Root}/ -> destination datamover:{bucket}/direct", result.StandardOutput, StringComparison.Ordinal);
        Assert.StartsWith("backup to ", result.Field("message"), StringComparison.Ordinal);
        await AssertBucketHoldsAsync(bucket, "direct/", tree.FileHashes);
    }

    [Fact]
    public async Task Second_run_transfers_only_the_changed_file_and_removes_the_deleted_one()
    {
        var bucket = await NewBucketAsync("incremental");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var pod = Pod(bucket, ("DATAMOVER_DESTINATION_PREFIX", "backup"));
        var first = await MoverRunner.RunAsync(tree.Root, pod);
        Assert.True(first.ExitCode == 0, first.ToString());

        tree.Write("config/item-03.json", "{\"item\": 3, \"changed\": true}\n");
        tree.Delete("config/item-07.json");
        var second = await MoverRunner.RunAsync(tree.Root, pod);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("transferred 1 files", second.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("deleted 1", second.StandardOutput, StringComparison.Ordinal);
        var copied = second.StandardOutput.Split('\n').Where(line => line.Contains(": Copied", StringComparison.Ordinal)).ToList();
        Assert.Contains("config/item-03.json: Copied (replaced existing)", Assert.Single(copied), StringComparison.Ordinal);
        await AssertBucketHoldsAsync(bucket, "backup/", tree.FileHashes);
    }

    [Fact]
    public async Task Stale_object_left_at_the_destination_fails_verification()
    {
        var bucket = await NewBucketAsync("verify");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        // RCLONE_IGNORE_EXISTING (a user tuning variable) makes sync keep whatever object is
        // already there; the hash check must still notice that its content is not the source's.
        await _s3.PutObjectAsync(bucket, "copy/config/item-05.json", "stale content");

        var result = await MoverRunner.RunAsync(tree.Root, Pod(
            bucket, ("DATAMOVER_DESTINATION_PREFIX", "copy"), ("RCLONE_IGNORE_EXISTING", "true")));

        AssertFailure(result, exitCode: 1, "verification failed: 1 files differ");
    }

    [Fact]
    public async Task Unreadable_files_in_the_volume_are_reported_as_permission_problem()
    {
        var bucket = await NewBucketAsync("unreadable");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        tree.Write("pgdata/base/16384", "database page");
        File.SetUnixFileMode(Path.Combine(tree.Root, "pgdata", "base", "16384"), UnixFileMode.None);

        if (!MoverRunner.SandboxAvailable && Environment.IsPrivilegedProcess)
        {
            // Root outside the uid 65534 sandbox reads everything: nothing to observe here.
            return;
        }

        var result = await MoverRunner.RunAsync(tree.Root, Pod(bucket));

        var source = MoverRunner.SandboxAvailable ? "/data" : tree.Root;
        AssertFailure(result, exitCode: 2, $"cannot read 1 paths in {source} as uid ");
        Assert.Contains($"(permission denied, e.g. {source}/pgdata/base/16384)", result.TerminationMessage, StringComparison.Ordinal);
        Assert.Contains("set spec.moverPod.securityContext.runAsUser/fsGroup to the volume's owner", result.TerminationMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AWS_ACCESS_KEY_ID")]
    [InlineData("AWS_SECRET_ACCESS_KEY")]
    [InlineData("BUCKET_HOST")]
    [InlineData("BUCKET_NAME")]
    public async Task Missing_required_variable_is_named(string variable)
    {
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, Pod("unused", (variable, null)));

        AssertFailure(result, exitCode: 2, $"missing required variable {variable}");
        Assert.Equal($"missing required variable {variable}", result.TerminationMessage);
    }

    [Fact]
    public async Task TLS_HOST_other_than_true_or_false_is_rejected()
    {
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, Pod("unused", ("TLS_HOST", "maybe")));

        AssertFailure(result, exitCode: 2, "TLS_HOST must be true or false");
    }

    [Fact]
    public async Task Wrong_credentials_are_reported_as_authentication_refused()
    {
        var bucket = await NewBucketAsync("auth");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        const string WrongKeyId = "AKIAWRONGKEYID0TEST1";

        var result = await MoverRunner.RunAsync(tree.Root, Pod(bucket, ("AWS_ACCESS_KEY_ID", WrongKeyId)));

        AssertFailure(result, exitCode: 3, $"authentication refused by {EndpointText()} (InvalidAccessKeyId)");
        Assert.DoesNotContain(WrongKeyId, result.AllText, StringComparison.Ordinal);
        Assert.Empty(await _s3.ListObjectsAsync(bucket));
    }

    [Fact]
    public async Task Missing_bucket_is_reported_and_not_created()
    {
        var bucket = S3ServerFixture.NewBucketName("absent");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, Pod(bucket));

        AssertFailure(result, exitCode: 3, $"bucket {bucket} not found");
        Assert.False(await _s3.BucketExistsAsync(bucket));
    }

    [Fact]
    public async Task Unreachable_endpoint_fails_fast()
    {
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var closedPort = ClosedLoopbackPort();

        var result = await MoverRunner.RunAsync(tree.Root, Pod("unused", ("BUCKET_PORT", closedPort.ToString(CultureInfo.InvariantCulture))));

        AssertFailure(result, exitCode: 1, $"endpoint http://127.0.0.1:{closedPort} unreachable");
        Assert.True(result.Duration < TimeSpan.FromSeconds(30), $"took {result.Duration}");
    }

    [Fact]
    public async Task Secret_values_never_appear_in_output_even_with_rclone_debug_logging()
    {
        var bucket = await NewBucketAsync("secret");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        // s3rver checks only the key id, so any secret works; rclone's DEBUG level prints it.
        const string Secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETVALUE";

        var success = await MoverRunner.RunAsync(tree.Root, Pod(
            bucket, ("AWS_SECRET_ACCESS_KEY", Secret), ("RCLONE_LOG_LEVEL", "DEBUG")));
        var failure = await MoverRunner.RunAsync(tree.Root, Pod(
            S3ServerFixture.NewBucketName("absent"), ("AWS_SECRET_ACCESS_KEY", Secret), ("RCLONE_LOG_LEVEL", "DEBUG")));

        Assert.True(success.ExitCode == 0, success.ToString());
        Assert.Contains("secret_access_key", success.StandardOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, failure.ExitCode);
        foreach (var result in new[] { success, failure })
        {
            Assert.DoesNotContain(Secret, result.AllText, StringComparison.Ordinal);
            Assert.DoesNotContain(S3Server.AccessKeyId, result.AllText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task MOVER_REMOTE_uses_a_remote_defined_by_rclone_environment_variables()
    {
        var bucket = await NewBucketAsync("remote");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        const string Secret = "remote-secret-value-1234";
        var pod = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MOVER_REMOTE"] = "objstore",
            ["MOVER_REMOTE_PATH"] = bucket,
            ["DATAMOVER_DESTINATION_PREFIX"] = "via-remote",
            ["RCLONE_CONFIG_OBJSTORE_TYPE"] = "s3",
            ["RCLONE_CONFIG_OBJSTORE_PROVIDER"] = "Other",
            ["RCLONE_CONFIG_OBJSTORE_ACCESS_KEY_ID"] = S3Server.AccessKeyId,
            ["RCLONE_CONFIG_OBJSTORE_SECRET_ACCESS_KEY"] = Secret,
            ["RCLONE_CONFIG_OBJSTORE_ENDPOINT"] = EndpointText(),
            ["RCLONE_CONFIG_OBJSTORE_FORCE_PATH_STYLE"] = "true",
            // A tuning/filter variable passes straight through to rclone.
            ["RCLONE_EXCLUDE"] = "config/**",
        };

        var result = await MoverRunner.RunAsync(tree.Root, pod);

        Assert.True(result.ExitCode == 0, result.ToString());
        var expected = tree.FileHashes.Where(entry => !entry.Key.StartsWith("config/", StringComparison.Ordinal))
            .ToDictionary(entry => entry.Key, entry => entry.Value, StringComparer.Ordinal);
        await AssertBucketHoldsAsync(bucket, "via-remote/", expected);
        Assert.DoesNotContain(Secret, result.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MOVER_REMOTE_without_its_rclone_type_variable_is_named()
    {
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));

        var result = await MoverRunner.RunAsync(tree.Root, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MOVER_REMOTE"] = "azblob",
        });

        AssertFailure(result, exitCode: 2, "missing required variable RCLONE_CONFIG_AZBLOB_TYPE");
    }

    /// <summary>
    /// The environment of a pod the operator builds from a valid user Secret: the Secret's keys arrive
    /// with the DATAMOVER_SECRET_ prefix (envFrom), the operator's own variables as they are. An
    /// override names a Secret key unless it is an operator variable (or already prefixed); null removes it.
    /// </summary>
    private Dictionary<string, string> Pod(string bucket, params (string Name, string? Value)[] overrides)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in SecretKeys(bucket))
        {
            environment[SecretPrefix + name] = value;
        }

        foreach (var (name, value) in overrides)
        {
            var variable = IsPlainVariable(name) ? name : SecretPrefix + name;
            if (value is null)
            {
                environment.Remove(variable);
            }
            else
            {
                environment[variable] = value;
            }
        }

        return environment;
    }

    private const string SecretPrefix = "DATAMOVER_SECRET_";

    private Dictionary<string, string> SecretKeys(string bucket) => new(StringComparer.Ordinal)
    {
        ["AWS_ACCESS_KEY_ID"] = S3Server.AccessKeyId,
        ["AWS_SECRET_ACCESS_KEY"] = S3Server.SecretAccessKey,
        ["AWS_REGION"] = S3Server.Region,
        ["BUCKET_HOST"] = S3Server.Host,
        ["BUCKET_PORT"] = _s3.Port.ToString(CultureInfo.InvariantCulture),
        ["BUCKET_NAME"] = bucket,
        ["TLS_HOST"] = "false",
    };

    private static bool IsPlainVariable(string name) =>
        name.StartsWith("DATAMOVER_", StringComparison.Ordinal) || name is "MOVER_MODE" or "ADD_TIMESTAMP_PREFIX" or "HOME" or "PATH";

    private async Task<string> NewBucketAsync(string purpose)
    {
        var bucket = S3ServerFixture.NewBucketName(purpose);
        await _s3.CreateBucketAsync(bucket);
        return bucket;
    }

    private string EndpointText() => $"http://{S3Server.Host}:{_s3.Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Exactly the expected files under the prefix (besides its manifest), each with identical content.</summary>
    private async Task AssertBucketHoldsAsync(string bucket, string prefix, IReadOnlyDictionary<string, string> expectedHashes)
    {
        var objects = await _s3.ListObjectsAsync(bucket, prefix);
        var keys = objects.Select(o => o.Key[prefix.Length..]).Where(key => key != ManifestName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expectedHashes.Keys.Order(StringComparer.Ordinal), keys);

        using var throttle = new SemaphoreSlim(8);
        var mismatches = await Task.WhenAll(keys.Select(async key =>
        {
            await throttle.WaitAsync();
            try
            {
                var actual = await _s3.Sha256Async(bucket, prefix + key);
                return actual == expectedHashes[key] ? null : key;
            }
            finally
            {
                throttle.Release();
            }
        }));
        Assert.Equal([], mismatches.OfType<string>());
    }

    private static void AssertFailure(MoverResult result, int exitCode, string expectedMessage)
    {
        Assert.True(result.ExitCode == exitCode, result.ToString());
        Assert.Contains(expectedMessage, result.FinalErrorLine, StringComparison.Ordinal);
        Assert.StartsWith("mover: FAILED: ", result.FinalErrorLine, StringComparison.Ordinal);
        Assert.Contains(expectedMessage, result.TerminationMessage, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', result.TerminationMessage);
    }

    private static int ClosedLoopbackPort()
    {
        // Bind to get a free port, then release it: nothing listens there afterwards.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static DateTime TruncateToSeconds(DateTime value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerSecond));

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}-\d{6}$")]
    private static partial Regex TimestampFolder();
}
