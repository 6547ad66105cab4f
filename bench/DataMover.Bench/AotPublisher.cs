namespace DataMover.Bench;

/// <summary>Publishes the operator with Native AOT; a failure is a result ("not available"), not a bench failure.</summary>
internal static class AotPublisher
{
    public static async Task<(OperatorBinary? Binary, string? Reason)> PublishAsync(BenchOptions options, string workDir, CancellationToken ct)
    {
        var output = Path.Combine(workDir, "aot");
        BenchSession.Progress("publishing the operator with Native AOT (dotnet publish -p:PublishAot=true)");
        var result = await CommandRunner.RunAsync(CommandRunner.Info("dotnet",
            "publish", Path.Combine(options.RepoRoot, "src/DataMover.Operator"), "-r", "linux-x64", "-p:PublishAot=true", "-c", "Release", "-o", output, "-nologo", "-clp:ErrorsOnly"), ct);
        var executable = Path.Combine(output, "DataMover.Operator");
        if (result.ExitCode != 0 || !File.Exists(executable))
        {
            var error = (result.Stdout + "\n" + result.Stderr).Split('\n', StringSplitOptions.TrimEntries)
                .FirstOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? result.LastErrorLine;
            return (null, error.Length > 160 ? error[..160] + "…" : error);
        }

        return (OperatorBinary.Aot(executable), null);
    }
}
