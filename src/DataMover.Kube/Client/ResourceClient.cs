using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Kube.Client;

/// <summary>The REST verbs for one resource type. Cheap to create; holds no state of its own.</summary>
public sealed class ResourceClient<T> where T : KubeObject
{
    private readonly KubeClient _client;

    internal ResourceClient(KubeClient client, ResourceType<T> type)
    {
        _client = client;
        Type = type;
    }

    public ResourceType<T> Type { get; }

    public async Task<T> GetAsync(string? ns, string name, CancellationToken cancellationToken = default)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, Type.Path(ns, name), null, false, cancellationToken);
        return await ReadAsync(response, Type.TypeInfo, cancellationToken);
    }

    /// <summary>The object, or null when it does not exist.</summary>
    public async Task<T?> TryGetAsync(string? ns, string name, CancellationToken cancellationToken = default)
    {
        try
        {
            return await GetAsync(ns, name, cancellationToken);
        }
        catch (KubeApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public async Task<T> GetStatusAsync(string? ns, string name, CancellationToken cancellationToken = default)
    {
        using var response = await _client.SendAsync(HttpMethod.Get, Type.Path(ns, name, "status"), null, false, cancellationToken);
        return await ReadAsync(response, Type.TypeInfo, cancellationToken);
    }

    /// <summary>One page of a list. Pass <c>ns</c> null to list across all namespaces.</summary>
    public async Task<KubeList<T>> ListAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var query = new QueryBuilder()
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("limit", options.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Add("continue", options.Continue)
            .Add("resourceVersion", options.ResourceVersion)
            .Add("resourceVersionMatch", options.ResourceVersionMatch);
        using var response = await _client.SendAsync(HttpMethod.Get, Type.Path(ns) + query, null, false, cancellationToken);
        return await ReadAsync(response, Type.ListTypeInfo, cancellationToken);
    }

    /// <summary>Every page of a list, merged; the result carries the first page's resourceVersion (one consistent snapshot).</summary>
    public async Task<KubeList<T>> ListAllAsync(string? ns, ListOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new ListOptions();
        var first = await ListAsync(ns, options, cancellationToken);
        if (string.IsNullOrEmpty(first.Metadata.Continue))
        {
            return first;
        }

        var items = new List<T>(first.Items);
        var page = first;
        while (!string.IsNullOrEmpty(page.Metadata.Continue))
        {
            try
            {
                page = await ListAsync(ns, options with { Continue = page.Metadata.Continue, ResourceVersion = null, ResourceVersionMatch = null }, cancellationToken);
            }
            catch (WatchExpiredException)
            {
                // The continue token outlived the server's history (as client-go's pager does): one unpaged list instead.
                return await ListAsync(ns, options with { Limit = null, Continue = null }, cancellationToken);
            }

            items.AddRange(page.Items);
        }

        return first with { Items = items, Metadata = first.Metadata with { Continue = null, RemainingItemCount = null } };
    }

    /// <summary>
    /// Streams changes. Ends normally when the server closes the stream (timeoutSeconds) or it goes silent longer than
    /// <see cref="WatchOptions.SilenceTimeout"/>; throws <see cref="WatchExpiredException"/> when the version is too old.
    /// </summary>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(string? ns, WatchOptions options, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder()
            .Add("watch", "true")
            .Add("resourceVersion", options.ResourceVersion)
            .Add("allowWatchBookmarks", options.AllowWatchBookmarks ? "true" : null)
            .Add("labelSelector", options.LabelSelector)
            .Add("fieldSelector", options.FieldSelector)
            .Add("timeoutSeconds", options.TimeoutSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _client.SendAsync(HttpMethod.Get, Type.Path(ns) + query, null, true, cancellationToken);
        options.OnEstablished?.Invoke();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        while (true)
        {
            string? line;
            using (var silence = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                silence.CancelAfter(options.SilenceTimeout);
                try
                {
                    line = await reader.ReadLineAsync(silence.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }
                catch (IOException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The connection was cut: the caller resumes from the last version it saw.
                    yield break;
                }
            }

            if (line is null)
            {
                yield break;
            }

            if (line.Length == 0)
            {
                continue;
            }

            yield return ParseEvent(line);
        }
    }

    /// <summary>POST; a namespaced object without a namespace goes to the client's default namespace, as kubectl does.</summary>
    public async Task<T> CreateAsync(T obj, CancellationToken cancellationToken = default) =>
        await SendObjectAsync(HttpMethod.Post, Type.Path(CreateNamespace(obj)), obj, null, cancellationToken);

    public async Task<T> CreateAsync(T obj, bool dryRun, CancellationToken cancellationToken = default) =>
        await SendObjectAsync(HttpMethod.Post, Type.Path(CreateNamespace(obj)), obj, dryRun ? "?dryRun=All" : null, cancellationToken);

    /// <summary>PUT with the object's resourceVersion: a stale version gets a 409 conflict.</summary>
    public async Task<T> ReplaceAsync(T obj, CancellationToken cancellationToken = default) =>
        await SendObjectAsync(HttpMethod.Put, Type.Path(obj.Metadata.Namespace, RequireName(obj)), obj, null, cancellationToken);

    /// <summary>PUT to the status subresource: only status changes are kept.</summary>
    public async Task<T> ReplaceStatusAsync(T obj, CancellationToken cancellationToken = default) =>
        await SendObjectAsync(HttpMethod.Put, Type.Path(obj.Metadata.Namespace, RequireName(obj), "status"), obj, null, cancellationToken);

    public Task<T> PatchAsync(string? ns, string name, KubePatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default) =>
        SendPatchAsync(Type.Path(ns, name), patch, options, cancellationToken);

    public Task<T> PatchStatusAsync(string? ns, string name, KubePatch patch, PatchOptions? options = null, CancellationToken cancellationToken = default) =>
        SendPatchAsync(Type.Path(ns, name, "status"), patch, options, cancellationToken);

    /// <summary>
    /// Deletes an object. Returns the object when deletion is deferred (finalizers, graceful deletion), null when it is gone.
    /// Throws a NotFound <see cref="KubeApiException"/> when there was nothing to delete.
    /// </summary>
    /// <summary>
    /// Sends a JSON body to a subresource other than status (pods/binding, namespaces/finalize) and returns the raw
    /// response: those endpoints answer with different kinds (Status, the parent object).
    /// </summary>
    public async Task<string> SendSubresourceAsync(HttpMethod method, string? ns, string name, string subresource, string json, CancellationToken cancellationToken = default)
    {
        using var response = await _client.SendAsync(method, Type.Path(ns, name, subresource), () => KubeClient.JsonContent(json), false, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    public async Task<T?> DeleteAsync(string? ns, string name, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var body = JsonSerializer.Serialize(options ?? new DeleteOptions(), KubeJsonContext.Default.DeleteOptions);
        using var response = await _client.SendAsync(HttpMethod.Delete, Type.Path(ns, name), () => KubeClient.JsonContent(body), false, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.TryGetProperty("kind", out var kind) && kind.GetString() == "Status"
            ? null
            : doc.RootElement.Deserialize(Type.TypeInfo);
    }

    /// <summary>Deletes every object matching the selector in a namespace.</summary>
    public async Task DeleteCollectionAsync(string? ns, ListOptions? selector = null, DeleteOptions? options = null, CancellationToken cancellationToken = default)
    {
        var query = new QueryBuilder()
            .Add("labelSelector", selector?.LabelSelector)
            .Add("fieldSelector", selector?.FieldSelector);
        var body = JsonSerializer.Serialize(options ?? new DeleteOptions(), KubeJsonContext.Default.DeleteOptions);
        using var response = await _client.SendAsync(HttpMethod.Delete, Type.Path(ns) + query, () => KubeClient.JsonContent(body), false, cancellationToken);
    }

    private async Task<T> SendPatchAsync(string path, KubePatch patch, PatchOptions? options, CancellationToken cancellationToken)
    {
        var query = new QueryBuilder()
            .Add("fieldManager", options?.FieldManager)
            .Add("force", options?.Force is true ? "true" : null)
            .Add("dryRun", options?.DryRun is true ? "All" : null);
        using var response = await _client.SendAsync(HttpMethod.Patch, path + query, () => KubeClient.JsonContent(patch.Body, patch.ContentType), false, cancellationToken);
        return await ReadAsync(response, Type.TypeInfo, cancellationToken);
    }

    private async Task<T> SendObjectAsync(HttpMethod method, string path, T obj, string? query, CancellationToken cancellationToken)
    {
        var json = Serialize(obj);
        using var response = await _client.SendAsync(method, path + query, () => KubeClient.JsonContent(json), false, cancellationToken);
        return await ReadAsync(response, Type.TypeInfo, cancellationToken);
    }

    /// <summary>Serializes with apiVersion and kind filled in, so callers may leave them out.</summary>
    internal string Serialize(T obj)
    {
        if (obj.ApiVersion is not null && obj.Kind is not null)
        {
            return JsonSerializer.Serialize(obj, Type.TypeInfo);
        }

        var node = JsonSerializer.SerializeToNode(obj, Type.TypeInfo)!.AsObject();
        node["apiVersion"] = obj.ApiVersion ?? Type.ApiVersion;
        node["kind"] = obj.Kind ?? Type.Kind;
        return node.ToJsonString();
    }

    private WatchEvent<T> ParseEvent(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var type = root.GetProperty("type").GetString();
        var obj = root.GetProperty("object");
        switch (type)
        {
            case "ADDED":
                return new WatchEvent<T>(WatchEventType.Added, obj.Deserialize(Type.TypeInfo)!);
            case "MODIFIED":
                return new WatchEvent<T>(WatchEventType.Modified, obj.Deserialize(Type.TypeInfo)!);
            case "DELETED":
                return new WatchEvent<T>(WatchEventType.Deleted, obj.Deserialize(Type.TypeInfo)!);
            case "BOOKMARK":
                return new WatchEvent<T>(WatchEventType.Bookmark, obj.Deserialize(Type.TypeInfo)!);
            case "ERROR":
                var status = obj.Deserialize(KubeJsonContext.Default.Status) ?? new Status();
                if (status.Code == 410 || status.Reason is "Expired" or "Gone")
                {
                    throw new WatchExpiredException(status);
                }

                throw new KubeApiException(status, (System.Net.HttpStatusCode)(status.Code ?? 500));
            default:
                throw new KubeApiException($"unknown watch event type '{type}'");
        }
    }

    private static async Task<TResult> ReadAsync<TResult>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<TResult> typeInfo, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken)
            ?? throw new KubeApiException("empty response body");
    }

    private string? CreateNamespace(T obj) =>
        Type.Namespaced && string.IsNullOrEmpty(obj.Metadata.Namespace) ? _client.DefaultNamespace : obj.Metadata.Namespace;

    private static string RequireName(T obj) =>
        obj.Metadata.Name ?? throw new ArgumentException("object has no metadata.name", nameof(obj));
}
