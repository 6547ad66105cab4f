using DataMover.Kube.Client;
using DataMover.Kube.Models;
using DataMover.Kube.Runtime;

namespace DataMover.Sandbox.ControlPlane;

/// <summary>
/// One informer per resource type shared by the controllers of a process, like client-go's SharedInformerFactory:
/// each type is listed and watched once however many controllers look at it.
/// </summary>
internal sealed class InformerSet
{
    private readonly KubeClient _client;
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<string, object> _informers = [];
    private readonly List<Func<CancellationToken, Task>> _runs = [];
    private readonly List<Func<CancellationToken, Task>> _syncs = [];

    public InformerSet(KubeClient client, ILoggerFactory loggers)
    {
        _client = client;
        _loggers = loggers;
    }

    public Informer<T> Get<T>(ResourceType<T> type, InformerOptions? options = null) where T : KubeObject
    {
        var key = type + "|" + options?.FieldSelector + "|" + options?.LabelSelector;
        if (_informers.TryGetValue(key, out var existing))
        {
            return (Informer<T>)existing;
        }

        var informer = new Informer<T>(_client, type, options, _loggers.CreateLogger("Informer." + type));
        _informers[key] = informer;
        _runs.Add(informer.RunAsync);
        _syncs.Add(informer.WaitForSyncAsync);
        return informer;
    }

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_runs.Select(r => Task.Run(() => r(cancellationToken), CancellationToken.None)));

    public Task WaitForSyncAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_syncs.Select(s => s(cancellationToken)));
}
