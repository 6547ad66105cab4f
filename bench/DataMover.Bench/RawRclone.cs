using System.Diagnostics;

namespace DataMover.Bench;

/// <summary>
/// rclone run by hand against the same s3rver, with what the mover sets for its transfers (mover/entrypoint.sh:
/// set_rclone_defaults, configure_s3, the sync and check flags) and nothing from the host's environment (AWS_* and
/// proxy variables there would change rclone's behaviour).
/// </summary>
internal sealed class RawRclone(string workDir, int s3Port)
{
    public const string Remote = "bench";

    public async Task<TimeSpan> RunAsync(CancellationToken ct, params string[] args)
    {
        var home = Path.Combine(workDir, "rclone-home");
        Directory.CreateDirectory(home);
        var info = CommandRunner.Info("rclone", args);
        info.Environment.Clear();
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["PATH"] = "/usr/local/bin:/usr/bin:/bin",
            ["HOME"] = home,
            ["RCLONE_CONFIG"] = "/dev/null",
            ["RCLONE_RETRIES"] = "1",
            ["RCLONE_LOW_LEVEL_RETRIES"] = "2",
            ["RCLONE_CONTIMEOUT"] = "5s",
            ["RCLONE_TIMEOUT"] = "30s",
            ["RCLONE_LOG_LEVEL"] = "INFO",
            ["RCLONE_STATS"] = "1m",
            ["RCLONE_STATS_LOG_LEVEL"] = "NOTICE",
            ["RCLONE_FAST_LIST"] = "true",
            ["RCLONE_CONFIG_BENCH_TYPE"] = "s3",
            ["RCLONE_CONFIG_BENCH_PROVIDER"] = "Other",
            ["RCLONE_CONFIG_BENCH_ENV_AUTH"] = "false",
            ["RCLONE_CONFIG_BENCH_ACCESS_KEY_ID"] = S3Server.Key,
            ["RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY"] = S3Server.Key,
            ["RCLONE_CONFIG_BENCH_REGION"] = "us-east-1",
            ["RCLONE_CONFIG_BENCH_ENDPOINT"] = $"http://127.0.0.1:{s3Port}",
            ["RCLONE_CONFIG_BENCH_FORCE_PATH_STYLE"] = "true",
            ["RCLONE_CONFIG_BENCH_NO_CHECK_BUCKET"] = "true",
        })
        {
            info.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        var result = await CommandRunner.RunAsync(info, ct);
        var elapsed = clock.Elapsed;
        await File.AppendAllTextAsync(Path.Combine(workDir, "rclone.log"), $"$ rclone {string.Join(' ', args)}\n{result.Stdout}{result.Stderr}\n", ct);
        if (result.ExitCode != 0)
        {
            throw new BenchException($"rclone {args[0]} failed: {result.LastErrorLine} (see {workDir}/rclone.log)");
        }

        return elapsed;
    }
}
