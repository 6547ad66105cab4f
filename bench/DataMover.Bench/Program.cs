using System.Globalization;
using System.Runtime.InteropServices;
using DataMover.Bench;

// The benchmark behind bench/run: starts the sandbox, the operator (and s3rver for P2) as separate processes, runs each
// scenario, prints one table. Missed goals are results (exit 0); only a bench that could not run exits non-zero.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (BenchException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx => { ctx.Cancel = true; stop.Cancel(); });
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx => { ctx.Cancel = true; stop.Cancel(); });
var ct = stop.Token;

if (!OperatingSystem.IsLinux())
{
    Console.Error.WriteLine("the bench reads /proc and the sandbox runs pods under bubblewrap: Linux only");
    return 2;
}

foreach (var built in new[] { "src/DataMover.Sandbox/bin/Release/net10.0/DataMover.Sandbox.dll", "src/DataMover.Operator/bin/Release/net10.0/DataMover.Operator.dll" })
{
    if (!File.Exists(Path.Combine(options.RepoRoot, built)))
    {
        Console.Error.WriteLine($"{built} is missing: run bench/run, which builds the checkout first");
        return 2;
    }
}

var workDir = Directory.CreateTempSubdirectory("datamover-bench-").FullName;
// Pods run as uid 65534 and must reach their volumes under here.
File.SetUnixFileMode(workDir, (UnixFileMode)Convert.ToInt32("755", 8));
BenchSession.Progress($"work directory {workDir} (logs of every process are kept there)");
var succeeded = false;
ResultTable? measured = null;
try
{
    OperatorBinary? aot = null;
    string? aotUnavailable = null;
    if (options.Aot)
    {
        (aot, aotUnavailable) = await AotPublisher.PublishAsync(options, workDir, ct);
    }

    BenchSession.Progress("starting the sandbox cluster");
    await using var session = new BenchSession(options, workDir, await BenchCluster.StartAsync(options, workDir, ct))
    {
        AotBinary = aot,
        AotUnavailable = aotUnavailable,
    };
    measured = session.Table;
    if (options.Runs("P4"))
    {
        await StartupScenario.RunAsync(session, ct);
    }

    await session.StartOperatorAsync(session.BackupBuild, BenchCluster.NoopMoverImage, ct);
    if (options.Runs("P1") || options.Runs("P5"))
    {
        await SequentialBackupScenario.RunAsync(session, ct);
    }

    if (options.Runs("P3") || options.Runs("P4") || options.Runs("P5"))
    {
        await ScaleScenario.RunAsync(session, ct);
    }

    if (options.Runs("P2"))
    {
        await TransferScenario.RunAsync(session, ct);
    }

    await session.StopOperatorAsync();
    var table = session.Table.Render(await NoteAsync(options, session.BackupBuild, ct));
    Console.WriteLine();
    Console.WriteLine(table);
    if (options.OutFile is { } outFile)
    {
        await File.WriteAllTextAsync(outFile, table, CancellationToken.None);
        BenchSession.Progress($"table written to {outFile}");
    }

    succeeded = true;
    return 0;
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Console.Error.WriteLine("bench interrupted; everything it started is stopped");
    PrintPartial(measured, options.OutFile, "interrupted");
    return 130;
}
catch (BenchException e)
{
    Console.Error.WriteLine($"bench failed: {e.Message}");
    PrintPartial(measured, options.OutFile, "failed: " + e.Message);
    return 1;
}
finally
{
    if (succeeded)
    {
        Directory.Delete(workDir, recursive: true);
    }
    else
    {
        Console.Error.WriteLine($"logs kept in {workDir}");
    }
}

static async Task<string> NoteAsync(BenchOptions options, OperatorBinary backupBuild, CancellationToken ct)
{
    var commit = await CommandRunner.RunAsync(CommandRunner.Info("git", "-C", options.RepoRoot, "describe", "--always", "--dirty"), ct);
    var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    return string.Create(CultureInfo.InvariantCulture,
        $"{(options.Quick ? "Quick run" : "Full run")} on {Environment.ProcessorCount} cores (nproc; {cpu}), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, commit {commit.Stdout.Trim()}; the backups (P1, P2, P3, P5) ran on the {backupBuild.Label} operator; sandbox, operator and mover share the machine. CPU s = /proc utime+stime during the scenario; pods = the sandbox's reaped children.");
}

// What was measured before a failure or Ctrl-C is still worth having (a long full run stopped near its end).
static void PrintPartial(ResultTable? table, string? outFile, string why)
{
    if (table is { Rows.Count: > 0 })
    {
        var text = table.Render($"Incomplete run ({why}): only the rows above were measured.");
        Console.WriteLine();
        Console.WriteLine(text);
        if (outFile is not null)
        {
            File.WriteAllText(outFile, text);
        }
    }
}
