using System.Diagnostics;

namespace DataMover.Sandbox.Tests;

/// <summary>Runs the real kubectl against the sandbox with an isolated HOME and cache dir.</summary>
public sealed class Kubectl
{
    private readonly string _kubeconfig;
    private readonly string _home;

    public Kubectl(string kubeconfig, string home)
    {
        _kubeconfig = kubeconfig;
        _home = home;
        Directory.CreateDirectory(home);
    }

    public static string TestData(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", name);

    public async Task<KubectlResult> RunAsync(params string[] args) => await RunWithInputAsync(null, args);

    public async Task<KubectlResult> RunWithInputAsync(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        // Global flags first: anything after "--" belongs to the container command.
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(_home, "cache"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["KUBECONFIG"] = _kubeconfig;
        psi.Environment["HOME"] = _home;
        using var process = Process.Start(psi)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return new KubectlResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs kubectl and asserts success with nothing (no warnings) on stderr.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"kubectl {string.Join(' ', args)} failed ({result.ExitCode}): {result.Stderr}");
        Assert.True(result.Stderr.Length == 0, $"kubectl {string.Join(' ', args)} wrote to stderr: {result.Stderr}");
        return result.Stdout;
    }
}

public sealed record KubectlResult(int ExitCode, string Stdout, string Stderr);
