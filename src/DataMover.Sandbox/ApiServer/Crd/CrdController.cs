using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>
/// The apiextensions-apiserver's in-process controllers: serve a CRD's resources once it is stored
/// (Established), and when the CRD is deleted, delete every instance before releasing the
/// customresourcecleanup finalizer. Called by <see cref="ObjectService"/> with the store lock held.
/// </summary>
internal sealed partial class CrdController
{
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";
    private readonly ObjectService _objects;
    private readonly ResourceRegistry _registry;
    private readonly CustomResourceStrategy _strategy;
    private readonly ILogger _logger;
    private bool _cleaning;

    public CrdController(ObjectService objects, ResourceRegistry registry, CustomResourceStrategy strategy, ILogger logger)
    {
        _objects = objects;
        _registry = registry;
        _strategy = strategy;
        _logger = logger;
        objects.Crds = this;
    }

    public event Action? Changed;

    public void AfterWrite(ResourceType type, JsonObject stored)
    {
        if (type.Key == "apiextensions.k8s.io/customresourcedefinitions")
        {
            if (JsonPaths.IsDeleting(stored))
            {
                Cleanup(stored);
            }
            else
            {
                _registry.ReplaceCustom(JsonPaths.Name(stored), CrdTypeFactory.Create(stored, _strategy));
                LogServing(_logger, JsonPaths.Name(stored));
                Changed?.Invoke();
            }
        }
    }

    public void AfterRemove(ResourceType type, JsonObject removed)
    {
        if (type.Key == "apiextensions.k8s.io/customresourcedefinitions")
        {
            var name = JsonPaths.Name(removed);
            var key = $"{JsonPaths.Str(removed, "spec", "group")}/{JsonPaths.Str(removed, "spec", "names", "plural")}";
            _objects.Store.Hub.CloseFor(key);
            _registry.ReplaceCustom(name, []);
            LogRemoved(_logger, name);
            Changed?.Invoke();
        }
        else if (type.IsCustom && type.Custom is { } custom)
        {
            var crd = _objects.Store.Get("apiextensions.k8s.io/customresourcedefinitions", null, custom.CrdName);
            if (crd is not null && JsonPaths.IsDeleting(crd))
            {
                Cleanup(crd);
            }
        }
    }

    private void Cleanup(JsonObject crd)
    {
        if (_cleaning)
        {
            return;
        }

        _cleaning = true;
        try
        {
            var crType = _registry.ForCrd(JsonPaths.Name(crd)).FirstOrDefault();
            if (crType is not null)
            {
                foreach (var (_, instance) in _objects.Store.List(crType.Key, null).ToList())
                {
                    if (!JsonPaths.IsDeleting(instance))
                    {
                        _objects.DeleteLocked(crType, instance, new DeleteRequest(PropagationPolicy: "Background"), WriteOptions.Internal);
                    }
                }

                if (_objects.Store.Count(crType.Key) > 0)
                {
                    return;
                }
            }

            var finalizers = JsonPaths.Finalizers(crd);
            if (finalizers.Remove(CleanupFinalizer))
            {
                var crdType = _registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
                var updated = JsonPaths.Clone(crd);
                JsonPaths.SetFinalizers(updated, finalizers);
                if (finalizers.Count == 0)
                {
                    var removed = _objects.Store.Remove(crdType.Key, updated);
                    AfterRemove(crdType, removed);
                }
                else
                {
                    _objects.Store.Put(crdType.Key, updated, crd);
                }
            }
        }
        finally
        {
            _cleaning = false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving custom resource definition {Name}")]
    private static partial void LogServing(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped serving custom resource definition {Name}")]
    private static partial void LogRemoved(ILogger logger, string name);
}
