using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DataMover.Kube.Config;

/// <summary>
/// Runs a kubeconfig <c>exec</c> credential plugin as client-go does: non-interactively (stdin not attached), with the
/// ExecCredential request in <c>KUBERNETES_EXEC_INFO</c>; caches what it returns until status.expirationTimestamp, and
/// runs it again after expiry or when the server rejected the credential. The plugin's stderr is ours; its stdout
/// (which holds the secret) is never put in a log or an exception.
/// </summary>
internal sealed class ExecCredentialPlugin(ExecPluginConfig config, TimeProvider time)
{
    // A plugin that hangs (waiting on a browser it may not open, say) must not hang every request with it.
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);
    private readonly Lock _gate = new();
    private ExecCredential? _current;

    /// <summary>The cached credential, or a fresh one when there is none or it has expired.</summary>
    public ExecCredential Get()
    {
        lock (_gate)
        {
            if (_current is null || (_current.ExpiresAt is { } expiry && time.GetUtcNow() >= expiry))
            {
                _current = Run();
            }

            return _current;
        }
    }

    /// <summary>
    /// The credential in hand, even if expired, or a fresh one when there is none. For the TLS handshake, which follows the
    /// request's own <see cref="Get"/>: running the plugin again there would hand out a second credential for one request.
    /// </summary>
    public ExecCredential Current()
    {
        lock (_gate)
        {
            return _current ??= Run();
        }
    }

    /// <summary>
    /// The server answered 401 to <paramref name="rejectedToken"/>: forget it if it is still the cached one, so that
    /// the next <see cref="Get"/> runs the plugin again. False when nothing changed (a retry would be refused again).
    /// </summary>
    public bool Invalidate(string? rejectedToken)
    {
        lock (_gate)
        {
            if (_current is null)
            {
                // Someone else already dropped it: the next call gets a fresh one.
                return true;
            }

            if (_current.Token != rejectedToken)
            {
                return _current.Token is not null;
            }

            _current = null;
            return true;
        }
    }

    private ExecCredential Run()
    {
        var psi = new ProcessStartInfo(config.Command)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            // Inherited: the plugin's prompts and diagnostics go where ours go.
            RedirectStandardError = false,
        };
        foreach (var arg in config.Args)
        {
            psi.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in config.Env)
        {
            psi.Environment[name] = value;
        }

        psi.Environment["KUBERNETES_EXEC_INFO"] = RequestJson();

        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new KubeConfigException($"exec plugin '{config.Command}' could not be started");
        }
        catch (Win32Exception e)
        {
            var hint = string.IsNullOrWhiteSpace(config.InstallHint) ? "" : Environment.NewLine + config.InstallHint.Trim();
            throw new KubeConfigException($"exec plugin '{config.Command}' could not be run: {e.Message}{hint}", e);
        }

        using (process)
        {
            // Not interactive: the plugin sees end-of-input at once instead of waiting on a terminal.
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(RunTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new KubeConfigException($"exec plugin '{config.Command}' did not finish within {RunTimeout.TotalSeconds:0}s");
            }

            if (process.ExitCode != 0)
            {
                throw new KubeConfigException($"exec plugin '{config.Command}' failed with exit code {process.ExitCode}");
            }

            return Parse(output.GetAwaiter().GetResult());
        }
    }

    private string RequestJson()
    {
        var spec = new JsonObject { ["interactive"] = false };
        if (config.ProvideClusterInfo && config.ClusterJson is { } cluster)
        {
            spec["cluster"] = JsonNode.Parse(cluster);
        }

        return new JsonObject { ["kind"] = "ExecCredential", ["apiVersion"] = config.ApiVersion, ["spec"] = spec }.ToJsonString();
    }

    private ExecCredential Parse(string stdout)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(stdout);
        }
        catch (JsonException)
        {
            // The text may hold a token in some broken shape: never repeat it.
            throw new KubeConfigException($"exec plugin '{config.Command}' did not print an ExecCredential as JSON");
        }

        if (root is not JsonObject obj || obj["kind"]?.GetValue<string>() != "ExecCredential")
        {
            throw new KubeConfigException($"exec plugin '{config.Command}' did not print an ExecCredential");
        }

        if (obj["apiVersion"]?.GetValue<string>() is var apiVersion && apiVersion != config.ApiVersion)
        {
            throw new KubeConfigException($"exec plugin '{config.Command}' answered apiVersion '{apiVersion}', but '{config.ApiVersion}' was asked for");
        }

        var status = obj["status"] as JsonObject
            ?? throw new KubeConfigException($"exec plugin '{config.Command}' returned an ExecCredential without status");
        var token = status["token"]?.GetValue<string>();
        var cert = status["clientCertificateData"]?.GetValue<string>();
        var key = status["clientKeyData"]?.GetValue<string>();
        DateTimeOffset? expires = null;
        if (status["expirationTimestamp"]?.GetValue<string>() is { Length: > 0 } stamp)
        {
            expires = DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                ? parsed
                : throw new KubeConfigException($"exec plugin '{config.Command}' returned an expirationTimestamp that is not RFC 3339: '{stamp}'");
        }

        if (string.IsNullOrEmpty(cert) != string.IsNullOrEmpty(key))
        {
            throw new KubeConfigException($"exec plugin '{config.Command}' returned a client certificate without a key, or a key without a certificate");
        }

        X509Certificate2? certificate = null;
        if (!string.IsNullOrEmpty(cert) && !string.IsNullOrEmpty(key))
        {
            certificate = ClientCertificateLoader.FromPem(Encoding.ASCII.GetBytes(cert), Encoding.ASCII.GetBytes(key));
        }

        if (string.IsNullOrEmpty(token) && certificate is null)
        {
            throw new KubeConfigException($"exec plugin '{config.Command}' returned neither a token nor a client certificate");
        }

        return new ExecCredential(string.IsNullOrEmpty(token) ? null : token, certificate, expires);
    }
}
