using DataMover.Kube.Client;
using DataMover.Kube.Config;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>Hosts the <see cref="ControlPlaneHost"/> next to the API server, connected through the kubeconfig like any client.</summary>
internal sealed partial class ControlPlaneComponent : IHostedComponent
{
    private readonly SandboxContext _context;
    private readonly ControlPlaneOptions _options;
    private readonly CancellationTokenSource _stop = new();
    private KubeClient? _client;
    private Task _running = Task.CompletedTask;

    public ControlPlaneComponent(SandboxContext context, ControlPlaneOptions options)
    {
        _context = context;
        _options = options;
    }

    public string Name => "control-plane";

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _client = new KubeClient(KubeConfigLoader.Load(_context.KubeconfigPath));
        var host = new ControlPlaneHost(_client, _options, _context.LoggerFactory);
        var logger = _context.LoggerFactory.CreateLogger<ControlPlaneComponent>();
        _running = Task.Run(async () =>
        {
            try
            {
                await host.RunAsync(_stop.Token);
            }
            catch (Exception e) when (!_stop.IsCancellationRequested)
            {
                LogFailed(logger, e);
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            // Abandoned: the process is going away.
        }

        _client?.Dispose();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The control plane stopped unexpectedly")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
