using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using DataMover.EndToEnd.Tests.Support;

namespace DataMover.EndToEnd.Tests.NativeAot;

/// <summary>
/// The operator as the image ships it: published with Native AOT by the same <c>dotnet publish</c> the Dockerfile runs,
/// and started as its own process under the operator's ServiceAccount. Its combined output is its log.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed partial class NativeAotOperator : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    private readonly Process _process;
    private readonly ServerProcessOutput _output;

    private NativeAotOperator(Process process, ServerProcessOutput output)
    {
        _process = process;
        _output = output;
    }

    public IReadOnlyList<string> Log => _output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Publishes the operator into <paramref name="outputDirectory"/> and returns the executable. Fails on any trim or
    /// AOT warning (IL2xxx, IL3xxx): a warning there is a code path that may break only in the shipped binary.
    /// </summary>
    public static async Task<string> PublishAsync(string outputDirectory, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "publish", Path.Combine(RepoPaths.Root, "src", "DataMover.Operator"), "-r", "linux-x64", "-c", "Release", "-p:PublishAot=true", "-o", outputDirectory, "-nologo" })
        {
            info.ArgumentList.Add(argument);
        }

        using var publish = Process.Start(info)!;
        var stdout = publish.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = publish.StandardError.ReadToEndAsync(cancellationToken);
        await publish.WaitForExitAsync(cancellationToken);
        var output = await stdout + await stderr;
        var executable = Path.Combine(outputDirectory, "DataMover.Operator");
        if (publish.ExitCode != 0 || !File.Exists(executable))
        {
            throw new InvalidOperationException($"dotnet publish -p:PublishAot=true failed ({publish.ExitCode}):\n{output}");
        }

        var warnings = AotWarning().Matches(output).Select(m => m.Value).Distinct().ToList();
        if (warnings.Count > 0)
        {
            throw new InvalidOperationException("the Native AOT publish warned:\n" + string.Join('\n', warnings));
        }

        return executable;
    }

    /// <summary>Starts <paramref name="executable"/> and returns once its /readyz answers 200 (informer caches synced).</summary>
    public static async Task<NativeAotOperator> StartAsync(string executable, string kubeconfig, CancellationToken ready)
    {
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "--kubeconfig", kubeconfig, "--metrics-bind-address", "127.0.0.1:0", "--health-probe-bind-address", "127.0.0.1:0", "--log-level", "debug" })
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var output = new ServerProcessOutput(process, "the Native AOT operator", StartingLine());
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = new NativeAotOperator(process, output);
        try
        {
            // Port 0: the operator's starting line names the port the kernel picked, so there is no port race.
            var readyz = new Uri($"http://127.0.0.1:{await output.Port.WaitAsync(ready)}/readyz");
            while (true)
            {
                try
                {
                    using var response = await Http.GetAsync(readyz, ready);
                    if (response.IsSuccessStatusCode)
                    {
                        return started;
                    }
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(100, ready);
            }
        }
        catch (OperationCanceledException e)
        {
            await started.DisposeAsync();
            throw new InvalidOperationException("the Native AOT operator was not ready within its start timeout:\n" + output.Text, e);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // SIGTERM first, as the kubelet stops the operator's pod.
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                ServerProcessOutput.Stop(_process);
            }
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"warning IL[23]\d{3}[^\r\n]*")]
    private static partial Regex AotWarning();

    [GeneratedRegex(@"probes http://127\.0\.0\.1:(?<port>\d+)")]
    private static partial Regex StartingLine();
}
