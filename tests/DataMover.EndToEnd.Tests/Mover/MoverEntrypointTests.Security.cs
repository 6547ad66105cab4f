using System.Text;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>The mover is run by namespace tenants: nothing in its environment may change what it runs or reveal a Secret.</summary>
public sealed partial class MoverEntrypointTests
{
    [Fact]
    public async Task Hostile_environment_runs_nothing_and_traces_nothing()
    {
        var bucket = await NewBucketAsync("hostile");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var evil = Directory.CreateDirectory(Path.Combine(_scratch, "evil")).FullName;
        File.SetUnixFileMode(evil, (UnixFileMode)0b111_111_111);
        var inside = MoverRunner.SandboxAvailable ? "/evil" : evil;
        var bin = Directory.CreateDirectory(Path.Combine(evil, "bin")).FullName;
        File.WriteAllText(Path.Combine(evil, "startup.sh"), $"touch {inside}/marker-startup\n");
        foreach (var tool in new[] { "rclone", "jq", "find", "date", "grep", "sed", "touch", "mkdir", "id", "sort" })
        {
            var script = Path.Combine(bin, tool);
            File.WriteAllText(script, $"#!/bin/sh\ntouch {inside}/marker-path-{tool}\n");
            File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        }

        const string Injection = "$(touch /evil/marker-subst)`touch /evil/marker-backtick`'\"\n;touch /evil/marker-semicolon; ${IFS}";
        var pod = Pod(
            bucket,
            ("DATAMOVER_DESTINATION_PREFIX", "hostile"),
            ("AWS_SECRET_ACCESS_KEY", Injection),
            ("FOO", Injection),
            ("RCLONE_CONFIG_SPARE_DESCRIPTION", Injection));
        foreach (var (name, value) in new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["BASH_ENV"] = $"{inside}/startup.sh",
            ["ENV"] = $"{inside}/startup.sh",
            ["SHELLOPTS"] = "xtrace:verbose:noexec",
            ["BASHOPTS"] = "extdebug:expand_aliases",
            ["PS4"] = $"$(touch {inside}/marker-ps4)",
            ["BASH_XTRACEFD"] = "1",
            ["CDPATH"] = inside,
            ["GLOBIGNORE"] = "*",
            ["IFS"] = "/x",
            ["TMOUT"] = "1",
            ["FUNCNEST"] = "1",
            ["POSIXLY_CORRECT"] = "1",
            ["PATH"] = $"{inside}/bin",
            ["LD_PRELOAD"] = $"{inside}/missing-library.so",
            ["LD_LIBRARY_PATH"] = inside,
            ["BASH_FUNC_rclone%%"] = $"() {{ touch {inside}/marker-function-rclone; }}",
            ["BASH_FUNC_jq%%"] = $"() {{ touch {inside}/marker-function-jq; }}",
            ["BASH_FUNC_log%%"] = $"() {{ touch {inside}/marker-function-log; }}",
            ["BASH_FUNC_fail%%"] = $"() {{ touch {inside}/marker-function-fail; }}",
        })
        {
            pod[name] = value;
        }

        var result = await MoverRunner.RunAsync(tree.Root, pod, new MoverRunOptions
        {
            Binds = new Dictionary<string, string>(StringComparer.Ordinal) { [evil] = "/evil" },
        });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(Directory.GetFiles(evil, "marker-*"));
        Assert.Equal("Succeeded", result.Field("outcome"));
        Assert.Contains("FOO", result.Json.GetProperty("ignoredSecretKeys").EnumerateArray().Select(key => key.GetString()));
        // No trace or verbose echo of the script: neither "+ " lines nor script text.
        Assert.DoesNotContain(result.AllText.Split('\n'), line => line.StartsWith('+'));
        Assert.DoesNotContain("set -euo pipefail", result.AllText, StringComparison.Ordinal);
        // The loader reads LD_PRELOAD before bash runs (nothing can stop that), but no program the
        // mover starts may see it: at most the complaints about bwrap and bash themselves.
        Assert.True(CountOf(result.StandardError, "missing-library.so") <= (MoverRunner.SandboxAvailable ? 2 : 1), result.ToString());
        await AssertBucketHoldsAsync(bucket, "hostile/", tree.FileHashes);
    }

    [Fact]
    public async Task Secret_canaries_never_appear_with_every_allowed_debug_switch_on()
    {
        var bucket = await NewBucketAsync("canary");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        // s3rver checks only the key id, so any secret works; rclone's DEBUG level prints its options.
        const string SecretCanary = "CANARYsecretKEY/0123456789abcdefghij";
        const string PassCanary = "CANARYremotePASSWORD9876";
        const string IgnoredCanary = "CANARYignoredVALUE5555";
        (string, string?)[] debug =
        [
            ("AWS_SECRET_ACCESS_KEY", SecretCanary),
            ("RCLONE_CONFIG_SPARE_TYPE", "sftp"),
            ("RCLONE_CONFIG_SPARE_PASS", PassCanary),
            ("UNRELATED_TOKEN", IgnoredCanary),
            ("RCLONE_DUMP", "headers,bodies,auth,requests,responses"),
            ("RCLONE_DUMP_HEADERS", "true"),
        ];
        // rclone takes either a log level or -vv; each run gets the most verbose one.
        var backupPod = Pod(bucket, [("DATAMOVER_DESTINATION_PREFIX", "canary"), ("RCLONE_LOG_LEVEL", "DEBUG"), .. debug]);
        // The same switches as additionalEnv (the operator would refuse the denied ones; the mover drops them too).
        backupPod["RCLONE_DUMP"] = "headers,bodies,auth";
        backupPod["RCLONE_LOG_FILE"] = "/config/rclone-debug.log";

        var backup = await MoverRunner.RunAsync(tree.Root, backupPod);
        var failure = await MoverRunner.RunAsync(tree.Root, Pod(S3ServerFixture.NewBucketName("absent"), [("RCLONE_VERBOSE", "2"), .. debug]));
        var restore = await MoverRunner.RunAsync(
            Directory.CreateDirectory(Path.Combine(_scratch, "restore")).FullName,
            Pod(bucket, [("MOVER_MODE", "restore"), ("DATAMOVER_RESTORE_FOLDER", "latest"), ("RCLONE_LOG_LEVEL", "DEBUG"), .. debug]),
            new MoverRunOptions { WritableData = true });

        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.True(restore.ExitCode == 0, restore.ToString());
        // Exit 3 (bucket missing), not an rclone usage error: RCLONE_VERBOSE replaced the mover's default log level.
        Assert.True(failure.ExitCode == 3, failure.ToString());
        // rclone's log reached the pod log (RCLONE_LOG_FILE did not divert it), and at DEBUG level.
        Assert.Contains(": Copied (new)", backup.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("DEBUG", backup.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("not passed to rclone (not allowed by the protocol): RCLONE_DUMP RCLONE_LOG_FILE", backup.StandardOutput, StringComparison.Ordinal);
        Assert.Equal(
            ["RCLONE_DUMP", "RCLONE_DUMP_HEADERS", "UNRELATED_TOKEN"],
            backup.Json.GetProperty("ignoredSecretKeys").EnumerateArray().Select(key => key.GetString()));
        var manifest = Encoding.UTF8.GetString(await _s3.ReadObjectAsync(bucket, "canary/" + ManifestName));
        foreach (var text in new[] { backup.AllText, failure.AllText, restore.AllText, manifest })
        {
            foreach (var canary in new[] { SecretCanary, PassCanary, IgnoredCanary, S3Server.AccessKeyId })
            {
                Assert.DoesNotContain(canary, text, StringComparison.Ordinal);
            }

            // RCLONE_DUMP never reached rclone: no HTTP dumps.
            Assert.DoesNotContain("HTTP REQUEST", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Authorization:", text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task AdditionalEnv_wins_over_the_Secret_key_of_the_same_name()
    {
        var bucket = await NewBucketAsync("precedence");
        var tree = SampleTree.CreateSmall(Path.Combine(_scratch, "data"));
        var pod = Pod(bucket, ("BUCKET_NAME", "secret-names-another-bucket"), ("DATAMOVER_DESTINATION_PREFIX", "p"));
        pod["BUCKET_NAME"] = bucket;

        var result = await MoverRunner.RunAsync(tree.Root, pod);

        Assert.True(result.ExitCode == 0, result.ToString());
        await AssertBucketHoldsAsync(bucket, "p/", tree.FileHashes);
        Assert.Equal(0, result.Json.GetProperty("ignoredSecretKeys").GetArrayLength());
    }

    private static int CountOf(string text, string value)
    {
        var count = 0;
        for (var index = text.IndexOf(value, StringComparison.Ordinal); index >= 0; index = text.IndexOf(value, index + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
