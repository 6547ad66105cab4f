using System.Diagnostics;

namespace DataMover.Bench;

/// <summary>Runs a short command (kubectl, rclone, dotnet publish) to completion and returns its output.</summary>
internal static class CommandRunner
{
    public static async Task<CommandResult> RunAsync(ProcessStartInfo startInfo, CancellationToken ct, string? stdin = null)
    {
        startInfo.RedirectStandardOutput = true;
        startInfo.RedirectStandardError = true;
        startInfo.RedirectStandardInput = stdin is not null;
        startInfo.UseShellExecute = false;
        using var process = Process.Start(startInfo) ?? throw new BenchException($"could not start {startInfo.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CommandResult(process.ExitCode, await stdout, await stderr);
    }

    public static ProcessStartInfo Info(string file, params IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }
}
