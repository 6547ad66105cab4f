using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using DataMover.Kube.Config;
using DataMover.Kube.Json;
using DataMover.Kube.Models;

namespace DataMover.Kube.Client;

/// <summary>
/// A typed Kubernetes API client. One instance owns one long-lived connection pool to one API server;
/// share it for the life of the process.
/// </summary>
public sealed class KubeClient : IDisposable
{
    private static readonly MediaTypeWithQualityHeaderValue JsonMediaType = new("application/json");
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(60);
    private readonly HttpClient _http;
    private readonly string _host;

    public KubeClient(KubeClientSettings settings)
    {
        Settings = settings;
        _host = settings.Server.Authority;
        _http = new HttpClient(CreateHandler(settings), disposeHandler: true)
        {
            BaseAddress = settings.Server,
            // Watches stream for minutes; per-request deadlines are applied by SendAsync instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd(settings.UserAgent);
        _http.DefaultRequestHeaders.Accept.Add(JsonMediaType);
    }

    public KubeClientSettings Settings { get; }

    /// <summary>The namespace of the loaded context.</summary>
    public string DefaultNamespace => Settings.Namespace;

    /// <summary>Operations on one resource type.</summary>
    public ResourceClient<T> Resource<T>(ResourceType<T> type) where T : KubeObject => new(this, type);

    public void Dispose() => _http.Dispose();

    /// <summary>
    /// Sends a request with auth, per-request timeout and retries. Retries 429 on any verb (the server did not
    /// act), 5xx and connection failures only on idempotent ones. Non-2xx answers throw <see cref="KubeApiException"/>.
    /// The caller disposes the response.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(
        HttpMethod method,
        string pathAndQuery,
        Func<HttpContent?>? content,
        bool streaming,
        CancellationToken cancellationToken)
    {
        var idempotent = method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Put || method == HttpMethod.Delete;
        var reauthenticated = false;
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, pathAndQuery)
            {
                Content = content?.Invoke(),
                // API servers speak HTTP/2 over TLS (as client-go uses it); plain-HTTP test servers fall back to 1.1.
                Version = HttpVersion.Version20,
                VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
            };
            var token = Authorize(request);

            // For a watch the deadline covers only the wait for the response headers; the body streams for minutes
            // and is guarded by WatchOptions.SilenceTimeout instead.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Settings.RequestTimeout);
            HttpResponseMessage response;
            try
            {
                response = await SendCountedAsync(request, streaming ? HttpCompletionOption.ResponseHeadersRead : HttpCompletionOption.ResponseContentRead, deadline.Token);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsRetryableTransportFailure(e, idempotent) && attempt < Settings.MaxAttempts)
            {
                await Task.Delay(Backoff(attempt), cancellationToken);
                continue;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"{method} {pathAndQuery} timed out after {Settings.RequestTimeout.TotalSeconds:0}s", e);
            }

            Settings.Metrics?.RequestCompleted(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), method.Method, _host);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                // A rejected credential means the server did nothing, so any verb may go once more with a fresh one
                // (client-go re-runs an exec plugin after a 401 the same way).
                if (response.StatusCode == HttpStatusCode.Unauthorized && !reauthenticated && Settings.Token?.Invalidate(token) == true)
                {
                    reauthenticated = true;
                    attempt--;
                    continue;
                }

                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests
                    || (idempotent && (int)response.StatusCode >= 500 && response.StatusCode != HttpStatusCode.NotImplemented);
                if (retryable && attempt < Settings.MaxAttempts)
                {
                    await Task.Delay(RetryAfter(response, TimeProvider.System.GetUtcNow()) ?? Backoff(attempt), cancellationToken);
                    continue;
                }

                throw await ToExceptionAsync(response, cancellationToken);
            }
        }
    }

    /// <summary>One attempt; an attempt that got no answer is counted as client-go counts it, with code <c>&lt;error&gt;</c>.</summary>
    private async Task<HttpResponseMessage> SendCountedAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.SendAsync(request, completion, cancellationToken);
        }
        catch
        {
            Settings.Metrics?.RequestCompleted("<error>", request.Method.Method, _host);
            throw;
        }
    }

    internal static async Task<KubeApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        Status? status = null;
        try
        {
            status = JsonSerializer.Deserialize(body, KubeJsonContext.Default.Status);
        }
        catch (JsonException)
        {
            // Not a Status (a proxy's HTML page, say): keep the text.
        }

        if (status is null || status.Kind != "Status")
        {
            status = new Status
            {
                Code = (int)response.StatusCode,
                Reason = response.StatusCode.ToString(),
                Message = body.Length > 512 ? body[..512] : body,
            };
        }

        return response.StatusCode == HttpStatusCode.Gone
            ? new WatchExpiredException(status)
            : new KubeApiException(status, response.StatusCode);
    }

    /// <summary>A UTF-8 body with a bare media type, as client-go sends it (no charset parameter).</summary>
    internal static StringContent JsonContent(string json, string contentType = "application/json")
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return content;
    }

    /// <summary>Sets the Authorization header; returns the bearer token sent, if any.</summary>
    private string? Authorize(HttpRequestMessage request)
    {
        var token = Settings.Token?.GetToken();
        if (!string.IsNullOrEmpty(token))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        else if (Settings.Username is not null)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Settings.Username}:{Settings.Password}"));
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", basic);
        }

        return token;
    }

    /// <summary>
    /// A failure to connect means the server never saw the request, so any verb may be retried; a failure after
    /// sending (reset, EOF) may have been acted on, so only idempotent verbs are.
    /// </summary>
    internal static bool IsRetryableTransportFailure(Exception e, bool idempotent)
    {
        if (e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError }
            || e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused })
        {
            return true;
        }

        return idempotent && e is HttpRequestException or IOException or SocketException;
    }

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(5000, 200 * Math.Pow(2, attempt - 1)) * (0.8 + (Random.Shared.NextDouble() * 0.4)));

    /// <summary>
    /// The server's Retry-After (seconds or an HTTP date), capped so that a confused proxy cannot park us for hours.
    /// </summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        TimeSpan? wait = null;
        if (response.Headers.RetryAfter is { } header)
        {
            wait = header.Delta ?? (header.Date is { } date ? date - now : null);
        }
        else if (response.Headers.TryGetValues("Retry-After", out var values)
            && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
        {
            wait = TimeSpan.FromSeconds(seconds);
        }

        return wait is { } w ? TimeSpan.FromTicks(Math.Clamp(w.Ticks, 0, MaxRetryAfter.Ticks)) : null;
    }

    private static SocketsHttpHandler CreateHandler(KubeClientSettings settings)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(15),
            EnableMultipleHttp2Connections = true,
            AutomaticDecompression = DecompressionMethods.GZip,
        };
        var ssl = new SslClientAuthenticationOptions();
        if (settings.TlsServerName is not null)
        {
            // Sent as SNI; the certificate's name is checked against it by ServerCertificateValidator.
            ssl.TargetHost = settings.TlsServerName;
        }

        if (settings.ClientCertificate is not null)
        {
            ssl.ClientCertificates = [settings.ClientCertificate];
            // Without this the handler offers the certificate only when it finds its issuer in the server's
            // acceptable-CA list, which API servers behind some proxies do not send.
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => settings.ClientCertificate;
        }
        else if (settings.ClientCertificateProvider is { } provider)
        {
            // Asked at each handshake, so a rotated certificate is used by the next new connection.
            ssl.LocalCertificateSelectionCallback = (_, _, _, _, _) => provider()!;
        }

        if (settings.InsecureSkipTlsVerify)
        {
            ssl.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
        }
        else if (settings.CertificateAuthorities is { Count: > 0 } || settings.TlsServerName is not null)
        {
            var cas = settings.CertificateAuthorities;
            var serverName = settings.TlsServerName;
            ssl.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                ServerCertificateValidator.Validate(certificate, chain, errors, cas, serverName);
        }

        handler.SslOptions = ssl;
        return handler;
    }
}
