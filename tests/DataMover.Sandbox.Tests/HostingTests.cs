using System.Diagnostics;
using System.Text;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests;

/// <summary>The hosting hook for controllers/node agent, and the `serve` command as a process.</summary>
public sealed class HostingTests
{
    [Fact]
    public async Task Components_start_after_the_server_and_can_serve_pod_logs()
    {
        var events = new List<string>();
        var options = new SandboxOptions { NoNode = true };
        options.Components.Add(ctx => new RecordingComponent("first", ctx, events));
        options.Components.Add(ctx => new RecordingComponent("second", ctx, events));
        await using (var cluster = await SandboxCluster.StartAsync(options))
        {
            Assert.Equal(["start first", "start second"], events);
            Assert.True(cluster.Context.NoNode);
            var kubectl = new Kubectl(cluster.KubeconfigPath, Path.Combine(cluster.DataDir, "home"));
            await kubectl.OkAsync("create", "-f", Kubectl.TestData("pod.yaml"));
            Assert.Equal("hello from main\n", await kubectl.OkAsync("logs", "worker", "-c", "main"));
            using var api = new ApiClient(cluster.CreateHttpClient());
            var noContainer = await api.GetAsync("/api/v1/namespaces/default/pods/worker/log");
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, noContainer.Status);
            Assert.Equal("a container name must be specified for pod worker, choose one of: [main sidecar]", noContainer.Str("message"));
        }

        Assert.Equal(["start first", "start second", "stop second", "stop first"], events);
    }

    [Fact]
    public async Task Serve_prints_one_ready_line_serves_kubectl_and_stops_on_sigterm()
    {
        var dir = Directory.CreateTempSubdirectory("sandbox-serve-").FullName;
        var kubeconfig = Path.Combine(dir, "kubeconfig");
        var dll = typeof(SandboxCluster).Assembly.Location;
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { dll, "serve", "--kubeconfig", kubeconfig, "--data-dir", Path.Combine(dir, "data"), "--no-node" })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var ready = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Matches(@"^sandbox ready: https://127\.0\.0\.1:[0-9]+$", ready);
        Assert.Contains(ready!["sandbox ready: ".Length..], await File.ReadAllTextAsync(kubeconfig));

        var kubectl = new Kubectl(kubeconfig, Path.Combine(dir, "home"));
        Assert.Contains("kube-system", await kubectl.OkAsync("get", "namespaces"));

        Assert.Equal(0, Kill(process.Id, 15));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", await process.StandardOutput.ReadToEndAsync());
        _ = await stderr;
        Directory.Delete(dir, recursive: true);
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    private sealed class RecordingComponent(string name, SandboxContext context, List<string> events) : IHostedComponent, IPodLogSource
    {
        public string Name => name;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            // A component is an API client: the server must already answer.
            using var http = context.CreateHttpClient(asNode: true);
            (await http.GetAsync("api/v1/namespaces/default", cancellationToken)).EnsureSuccessStatusCode();
            events.Add("start " + name);
            context.SetPodLogSource(this);
        }

        public ValueTask DisposeAsync()
        {
            events.Add("stop " + name);
            return ValueTask.CompletedTask;
        }

        public async Task WriteLogsAsync(PodLogRequest request, Stream output, CancellationToken cancellationToken) =>
            await output.WriteAsync(Encoding.UTF8.GetBytes($"hello from {request.Container}\n"), cancellationToken);
    }
}
