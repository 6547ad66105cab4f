using System.Globalization;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Auth;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>Wires discovery, health, OpenAPI and resource routes, plus authentication, fault injection and error mapping.</summary>
internal sealed partial class ApiEndpoints
{
    /// <summary>Where the authenticated <see cref="UserInfo"/> of a request is kept.</summary>
    public const string UserKey = "sandbox.user";
    private readonly RestHandler _rest;
    private readonly RequestResolver _resolver;
    private readonly DiscoveryDocuments _discovery;
    private readonly OpenApiDocuments _openApi;
    private readonly FaultInjector _faults;
    private readonly TokenAuthenticator _authenticator;
    private readonly RbacAuthorizer _authorizer;
    private readonly ILogger _logger;

    public ApiEndpoints(RestHandler rest, ResourceRegistry registry, OpenApiDocuments openApi, FaultInjector faults, TokenAuthenticator authenticator, RbacAuthorizer authorizer, ILogger logger)
    {
        _rest = rest;
        _resolver = new RequestResolver(registry);
        _discovery = new DiscoveryDocuments(registry);
        _openApi = openApi;
        _faults = faults;
        _authenticator = authenticator;
        _authorizer = authorizer;
        _logger = logger;
    }

    public void Map(WebApplication app)
    {
        app.Use(AuthenticateAsync);
        foreach (var health in new[] { "/healthz", "/livez", "/readyz" })
        {
            app.MapGet(health, () => Results.Text("ok"));
            app.MapGet(health + "/{**check}", () => Results.Text("ok"));
        }

        app.MapGet("/version", context => HttpIo.WriteJsonAsync(context, 200, DiscoveryDocuments.Version()));
        app.MapGet("/api", context => HttpIo.WriteJsonAsync(context, 200, DiscoveryDocuments.ApiVersions($"{context.Request.Host}")));
        app.MapGet("/api/v1", context => WriteOrNotFound(context, _discovery.ResourceList("", "v1")));
        app.MapGet("/apis", context => HttpIo.WriteJsonAsync(context, 200, _discovery.GroupList()));
        app.MapGet("/apis/{group}", (HttpContext context, string group) => WriteOrNotFound(context, _discovery.GroupDocument(group)));
        app.MapGet("/apis/{group}/{version}", (HttpContext context, string group, string version) => WriteOrNotFound(context, _discovery.ResourceList(group, version)));
        app.MapGet("/openapi/v2", context => _openApi.WriteV2Async(context));
        app.MapGet("/openapi/v3", context => _openApi.WriteV3RootAsync(context));
        app.MapGet("/openapi/v3/{**path}", (HttpContext context, string path) => _openApi.WriteV3Async(context, path));
        app.Map("/api/v1/{**rest}", (HttpContext context, string rest) => HandleResourceAsync(context, "", "v1", rest));
        app.Map("/apis/{group}/{version}/{**rest}", (HttpContext context, string group, string version, string rest) => HandleResourceAsync(context, group, version, rest));
        app.MapFallback(context => Guarded(context, () => throw ApiException.PathNotFound()));
    }

    /// <summary>
    /// The handler chain's front (DefaultBuildHandlerChain): authentication (401 for credentials that do not
    /// authenticate; no credentials at all is system:anonymous, as --anonymous-auth=true), impersonation, then
    /// authorization of the attributes derived from the URL (403).
    /// </summary>
    private async Task AuthenticateAsync(HttpContext context, RequestDelegate next)
    {
        var header = context.Request.Headers.Authorization.ToString();
        UserInfo user;
        if (header.Length == 0)
        {
            user = UserInfo.Anonymous;
        }
        else
        {
            const string prefix = "Bearer ";
            var authenticated = header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) ? _authenticator.Authenticate(header[prefix.Length..].Trim()) : null;
            if (authenticated is null)
            {
                await HttpIo.WriteErrorAsync(context, ApiException.Unauthorized());
                return;
            }

            user = authenticated;
        }

        try
        {
            if (Impersonation.Requested(context.Request))
            {
                user = Impersonation.Apply(context.Request, user, _authorizer);
            }

            var attributes = RequestInfoParser.Parse(user, context.Request.Method, context.Request.Path.Value ?? "/", context.Request.Query);
            var decision = _authorizer.AuthorizeRequest(attributes);
            if (!decision.Allowed)
            {
                throw Forbidden.For(attributes, decision.Reason);
            }
        }
        catch (ApiException ex)
        {
            await HttpIo.WriteErrorAsync(context, ex);
            return;
        }

        context.Items[UserKey] = user;
        await next(context);
    }

    private static Task WriteOrNotFound(HttpContext context, JsonObject? doc) =>
        doc is null ? HttpIo.WriteErrorAsync(context, ApiException.PathNotFound()) : HttpIo.WriteJsonAsync(context, 200, doc);

    private Task HandleResourceAsync(HttpContext context, string group, string version, string rest) => Guarded(context, async () =>
    {
        var parts = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var request = _resolver.Resolve(context.Request.Method, group, version, parts, context.Request.Query["watch"] is var w && (w == "true" || w == "1"));
        var latency = _faults.Latency;
        if (latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, context.RequestAborted);
        }

        if (await InjectFaultAsync(context, request))
        {
            return;
        }

        await _rest.HandleAsync(context, request);
    });

    /// <summary>Applies an injected fault; true when the request was answered (or dropped) by it.</summary>
    private async Task<bool> InjectFaultAsync(HttpContext context, ApiRequest request)
    {
        switch (_faults.Decide(request.Verb, request.Type.Plural))
        {
            case FaultKind.InternalError:
                throw ApiException.Internal("injected fault");
            case FaultKind.TooManyRequests:
                throw ApiException.TooManyRequests();
            case FaultKind.Conflict when request.Name is not null:
                throw ApiException.StaleUpdate(request.Type, request.Name);
            case FaultKind.Conflict:
                throw ApiException.Conflict(request.Type, "", "injected conflict");
            case FaultKind.ServiceUnavailable:
                // What an aggregated or overloaded apiserver answers while it cannot serve the request.
                throw ApiException.ServiceUnavailable("the server is currently unable to handle the request");
            case FaultKind.Timeout:
                // The timeout filter of non-long-running requests (WithTimeoutForNonLongRunningRequests, 60s default).
                throw ApiException.Timeout("request did not complete within 1m0s", 0);
            case FaultKind.TooLargeResourceVersion when request.Verb == "watch"
                && long.TryParse(context.Request.Query["resourceVersion"], NumberStyles.None, CultureInfo.InvariantCulture, out var rv) && rv > 0:
                // A cache just behind the client's version, as an apiserver that has not caught up with another one.
                throw ApiException.TooLargeResourceVersion(rv, rv - 1);
            case FaultKind.ConnectionReset:
                context.Abort();
                return true;
            case FaultKind.Hang:
                try
                {
                    await Task.Delay(_faults.HangLimit, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up.
                }

                context.Abort();
                return true;
            default:
                return false;
        }
    }

    private async Task Guarded(HttpContext context, Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (ApiException ex)
        {
            if (!context.Response.HasStarted)
            {
                await HttpIo.WriteErrorAsync(context, ex);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogUnhandled(_logger, ex, context.Request.Method, context.Request.Path);
            if (!context.Response.HasStarted)
            {
                await HttpIo.WriteErrorAsync(context, ApiException.Internal(ex.Message));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error serving {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
