using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer;
using DataMover.Sandbox.ApiServer.Auth;
using DataMover.Sandbox.ApiServer.Crd;
using DataMover.Sandbox.ApiServer.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DataMover.Sandbox.Hosting;

/// <summary>
/// A running sandbox cluster: the Kubernetes-compatible API server on 127.0.0.1 plus any hosted
/// components. Start it with <see cref="StartAsync"/>, point kubectl at <see cref="KubeconfigPath"/>,
/// dispose it to stop.
/// </summary>
public sealed partial class SandboxCluster : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ResourceStore _store;
    private readonly CertificateAuthority? _ca;
    private readonly ILoggerFactory? _ownedLoggerFactory;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<IHostedComponent> _components = [];
    private readonly TimeSpan _bookmarkInterval;
    private Task _timers = Task.CompletedTask;
    private readonly AuthorizationAudit _audit;
    private int _disposed;

    private SandboxCluster(WebApplication app, ResourceStore store, CertificateAuthority? ca, ILoggerFactory? ownedLoggerFactory, ILogger logger, SandboxContext context, TimeSpan bookmarkInterval, ServiceAccountTokens tokens, AuthorizationAudit audit)
    {
        ServiceAccountTokens = tokens;
        _audit = audit;
        _app = app;
        _store = store;
        _ca = ca;
        _ownedLoggerFactory = ownedLoggerFactory;
        _logger = logger;
        Context = context;
        _bookmarkInterval = bookmarkInterval;
    }

    public Uri Url => Context.Url;

    public string KubeconfigPath => Context.KubeconfigPath;

    public string Token => Context.Token;

    public string DataDir => Context.DataDir;

    public FaultInjector Faults => Context.Faults;

    /// <summary>What hosted components receive; also handy for tests (HTTP clients trusting the CA).</summary>
    public SandboxContext Context { get; }

    /// <summary>The token issuer, for tests that need tokens the API cannot mint (already expired, foreign audience).</summary>
    internal ServiceAccountTokens ServiceAccountTokens { get; }

    public static async Task<SandboxCluster> StartAsync(SandboxOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownedFactory = options.LoggerFactory is null
            ? LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning).AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace))
            : null;
        var loggerFactory = options.LoggerFactory ?? ownedFactory!;
        var logger = loggerFactory.CreateLogger("DataMover.Sandbox");
        var dataDir = options.DataDir ?? Path.Combine(Path.GetTempPath(), "datamover-sandbox-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(dataDir);
        var kubeconfig = Path.GetFullPath(options.KubeconfigPath ?? Path.Combine(dataDir, "kubeconfig"));
        var faults = FaultInjector.Parse(options.Faults);
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var nodeToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var ca = options.UseTls ? CertificateAuthority.Create() : null;

        var registry = new ResourceRegistry();
        foreach (var type in BuiltinResources.Create())
        {
            registry.Add(type);
        }

        var store = new ResourceStore(options.WatchHistoryLimit);
        var authorizer = new RbacAuthorizer(store);
        var tokens = new ServiceAccountTokens(store, TimeProvider.System);
        var objects = new ObjectService(store, registry)
        {
            Authorizer = authorizer,
            Escalation = new EscalationCheck(authorizer, store),
            OwnerReferencesPermissionEnforcement = options.OwnerReferencesPermissionEnforcement,
            RootCaPem = ca?.CertificatePem ?? "",
        };
        var customStrategy = new CustomResourceStrategy(new SchemaValidator(loggerFactory.CreateLogger<SchemaValidator>()));
        _ = new CrdController(objects, registry, customStrategy, loggerFactory.CreateLogger<CrdController>());
        Bootstrap(objects, registry);
        if (options.InstallSnapshotCrds)
        {
            InstallSnapshotCrds(objects, registry);
        }

        SandboxContext? context = null;
        var watches = new WatchStreamer(store, options.WatchQueueCapacity);
        var authenticator = new TokenAuthenticator(token, nodeToken, tokens);
        var rest = new RestHandler(objects, watches, () => context?.PodLogs ?? new EmptyPodLogSource(), new ReviewHandler(authorizer, authenticator), new TokenRequestHandler(objects, tokens));
        var endpoints = new ApiEndpoints(rest, registry, new OpenApiDocuments(registry), faults, authenticator, authorizer, logger);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = dataDir, EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MinResponseDataRate = null;
            kestrel.Limits.MaxRequestBodySize = 3 * 1024 * 1024;

            // client-go multiplexes every watch of a process over one HTTP/2 connection.
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
            {
                listen.Protocols = ca is null ? HttpProtocols.Http1 : HttpProtocols.Http1AndHttp2;
                if (ca is not null)
                {
                    listen.UseHttps(ca.ServerCertificate);
                }
            });
        });
        var app = builder.Build();
        endpoints.Map(app);
        await app.StartAsync(cancellationToken);

        var address = app.Urls.First().Replace("[::]", "127.0.0.1", StringComparison.Ordinal);
        var url = new Uri(address.EndsWith('/') ? address : address + "/");
        KubeconfigWriter.Write(kubeconfig, url, token, ca?.CertificatePem);
        context = new SandboxContext(url, kubeconfig, token, nodeToken, dataDir, options.NoNode, loggerFactory, faults, ca);
        var cluster = new SandboxCluster(app, store, ca, ownedFactory, logger, context, options.BookmarkInterval, tokens, authorizer.Audit);
        cluster._timers = cluster.RunTimersAsync(cluster._stopping.Token);
        try
        {
            foreach (var factory in options.Components)
            {
                var component = factory(context);
                cluster._components.Add(component);
                await component.StartAsync(cancellationToken);
                LogComponentStarted(logger, component.Name);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>An HttpClient for the API server with the admin token and CA trust configured.</summary>
    public HttpClient CreateHttpClient() => Context.CreateHttpClient();

    /// <summary>
    /// Mints a ServiceAccount token through the TokenRequest API (POST serviceaccounts/&lt;name&gt;/token, what
    /// `kubectl create token` does), as the admin. The ServiceAccount must exist.
    /// </summary>
    public Task<string> CreateServiceAccountTokenAsync(string ns, string serviceAccount, TimeSpan? lifetime = null, CancellationToken cancellationToken = default) =>
        Context.CreateServiceAccountTokenAsync(ns, serviceAccount, lifetime, cancellationToken);

    /// <summary>
    /// The distinct authorization decisions taken so far for <paramref name="user"/>'s requests (verb, group, resource or
    /// resource/subresource, namespace, allowed), as an audit log would show them; reviews (can-i) are not included.
    /// </summary>
    public IReadOnlyList<AuthorizationRecord> AuthorizationsOf(string user) => _audit.Of(user);

    /// <summary>Writes a kubeconfig for this cluster that authenticates with <paramref name="token"/> (e.g. a ServiceAccount token).</summary>
    public void WriteKubeconfig(string path, string token) => Context.WriteKubeconfig(path, token);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        for (var i = _components.Count - 1; i >= 0; i--)
        {
            try
            {
                await _components[i].DisposeAsync();
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogComponentStopFailed(_logger, ex, _components[i].Name);
            }
        }

        await _stopping.CancelAsync();
        try
        {
            await _timers;
        }
        catch (OperationCanceledException)
        {
        }

        lock (_store.Gate)
        {
            // Ends every open watch stream so the server can stop promptly.
            _store.Hub.CloseAll();
        }

        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token);
        }

        await _app.DisposeAsync();
        _ca?.Dispose();
        _stopping.Dispose();
        _ownedLoggerFactory?.Dispose();
    }

    private static void Bootstrap(ObjectService objects, ResourceRegistry registry)
    {
        // Each new namespace gets its default ServiceAccount and kube-root-ca.crt in the same write (ObjectService).
        var namespaces = registry.Find("", "v1", "namespaces")!;
        foreach (var ns in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            objects.Create(namespaces, null, new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } }, WriteOptions.Internal);
        }

        // The RBAC bootstrap policy kube-apiserver reconciles at start.
        var clusterRoles = registry.Find("rbac.authorization.k8s.io", "v1", "clusterroles")!;
        foreach (var role in BootstrapPolicy.ClusterRoles())
        {
            objects.Create(clusterRoles, null, role, WriteOptions.Internal);
        }

        var clusterRoleBindings = registry.Find("rbac.authorization.k8s.io", "v1", "clusterrolebindings")!;
        foreach (var binding in BootstrapPolicy.ClusterRoleBindings())
        {
            objects.Create(clusterRoleBindings, null, binding, WriteOptions.Internal);
        }

        // The kubernetes service every real cluster has, pointing at the API server.
        var services = registry.Find("", "v1", "services")!;
        objects.Create(services, "default", (JsonObject)JsonNode.Parse("""
            {"metadata":{"name":"kubernetes","labels":{"component":"apiserver","provider":"kubernetes"}},
             "spec":{"clusterIP":"10.96.0.1","ports":[{"name":"https","port":443,"protocol":"TCP","targetPort":6443}]}}
            """)!, WriteOptions.Internal);
    }

    private static void InstallSnapshotCrds(ObjectService objects, ResourceRegistry registry)
    {
        var crds = registry.Find("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
        foreach (var crd in SnapshotCrds.Create())
        {
            objects.Create(crds, null, crd, WriteOptions.Internal);
        }
    }

    private async Task RunTimersAsync(CancellationToken ct)
    {
        var lastBookmark = DateTimeOffset.UtcNow;
        var lastCut = DateTimeOffset.UtcNow;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await timer.WaitForNextTickAsync(ct))
        {
            var now = DateTimeOffset.UtcNow;
            if (now - lastBookmark >= _bookmarkInterval)
            {
                lastBookmark = now;
                lock (_store.Gate)
                {
                    _store.Hub.Bookmark(_store.CurrentRv);
                }
            }

            if (Faults.CutWatchesEvery is { } every)
            {
                if (now - lastCut >= every)
                {
                    lastCut = now;
                    lock (_store.Gate)
                    {
                        LogCuttingWatches(_logger, _store.Hub.WatcherCount);
                        _store.Hub.CloseAll();
                    }
                }
            }
            else
            {
                lastCut = now;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started hosted component {Name}")]
    private static partial void LogComponentStarted(ILogger logger, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Hosted component {Name} failed to stop cleanly")]
    private static partial void LogComponentStopFailed(ILogger logger, Exception exception, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Fault injection: closing {Count} open watches")]
    private static partial void LogCuttingWatches(ILogger logger, int count);
}
