using System.Security.Cryptography.X509Certificates;
using System.Text;
using YamlDotNet.RepresentationModel;

namespace DataMover.Kube.Config;

/// <summary>
/// Loads client settings from kubeconfig files the way kubectl does: <c>KUBECONFIG</c> lists several files merged
/// (the first file to define a name wins, and the first current-context wins), else <c>~/.kube/config</c>;
/// relative paths resolve against the folder of the file that names them.
/// </summary>
public static class KubeConfigLoader
{
    /// <summary>
    /// Settings for <paramref name="context"/> (or the current context) from <paramref name="path"/>,
    /// or from <c>KUBECONFIG</c> / <c>~/.kube/config</c> when no path is given.
    /// </summary>
    public static KubeClientSettings Load(string? path = null, string? context = null)
    {
        var files = path is not null ? [path] : DefaultFiles();
        var merged = new MergedConfig();
        foreach (var file in files.Where(File.Exists))
        {
            merged.Add(file);
        }

        if (merged.FileCount == 0)
        {
            throw new KubeConfigException($"no kubeconfig found (looked at {string.Join(", ", files)})");
        }

        var contextName = context ?? merged.CurrentContext
            ?? throw new KubeConfigException("the kubeconfig has no current-context and none was given");
        if (!merged.Contexts.TryGetValue(contextName, out var ctx))
        {
            throw new KubeConfigException($"context '{contextName}' not found in the kubeconfig");
        }

        var clusterName = Str(ctx.Node, "cluster") ?? throw new KubeConfigException($"context '{contextName}' names no cluster");
        if (!merged.Clusters.TryGetValue(clusterName, out var cluster))
        {
            throw new KubeConfigException($"cluster '{clusterName}' not found in the kubeconfig");
        }

        var userName = Str(ctx.Node, "user");
        Entry? user = null;
        if (userName is not null && !merged.Users.TryGetValue(userName, out user))
        {
            throw new KubeConfigException($"user '{userName}' not found in the kubeconfig");
        }

        return Build(cluster, user, Str(ctx.Node, "namespace"));
    }

    /// <summary>True when running in a pod with a mounted service-account token.</summary>
    public static bool IsInCluster(string serviceAccountDir = InClusterConfig.DefaultServiceAccountDir) =>
        Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is { Length: > 0 }
        && File.Exists(Path.Combine(serviceAccountDir, "token"));

    private static string[] DefaultFiles()
    {
        var env = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrWhiteSpace(env))
        {
            return env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        var home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return [Path.Combine(home, ".kube", "config")];
    }

    private static KubeClientSettings Build(Entry cluster, Entry? user, string? ns)
    {
        var c = cluster.Node;
        var server = Str(c, "server") ?? throw new KubeConfigException("the cluster has no server");
        var settings = new KubeClientSettings
        {
            Server = new Uri(server),
            Namespace = string.IsNullOrEmpty(ns) ? "default" : ns,
            InsecureSkipTlsVerify = Bool(c, "insecure-skip-tls-verify"),
            TlsServerName = Str(c, "tls-server-name"),
            CertificateAuthorities = LoadCas(Bytes(c, "certificate-authority-data", "certificate-authority", cluster.Folder)),
        };
        if (user is null)
        {
            return settings;
        }

        var u = user.Node;
        TokenSource? token = null;
        if (Str(u, "tokenFile") is { Length: > 0 } tf)
        {
            // As in client-go, a token file wins over an inline token: it is the one that gets rotated.
            token = TokenSource.FromFile(Resolve(tf, user.Folder));
        }
        else if (Str(u, "token") is { Length: > 0 } t)
        {
            token = TokenSource.Static(t);
        }

        X509Certificate2? clientCert = null;
        var certPem = Bytes(u, "client-certificate-data", "client-certificate", user.Folder);
        var keyPem = Bytes(u, "client-key-data", "client-key", user.Folder);
        if ((certPem is null) != (keyPem is null))
        {
            throw new KubeConfigException("the user has a client certificate without a key, or a key without a certificate");
        }

        if (certPem is not null && keyPem is not null)
        {
            clientCert = ClientCertificateLoader.FromPem(certPem, keyPem);
        }

        var username = Str(u, "username");
        Func<X509Certificate2?>? certificateProvider = null;
        if (token is null && clientCert is null && u.Children.TryGetValue(new YamlScalarNode("exec"), out var execNode) && execNode is YamlMappingNode exec)
        {
            var plugin = new ExecCredentialPlugin(ExecConfig(exec, user.Folder, settings), TimeProvider.System);
            token = new ExecTokenSource(plugin);
            certificateProvider = () => plugin.Current().ClientCertificate;
        }

        if (token is null && clientCert is null && username is null && u.Children.ContainsKey(new YamlScalarNode("auth-provider")))
        {
            // Failing here beats a stream of 401s with no hint of why.
            throw new KubeConfigException("the user authenticates through an auth-provider, which this client does not support; use an exec plugin, a token, token file or client certificate");
        }

        return settings with
        {
            Token = token,
            ClientCertificate = clientCert,
            ClientCertificateProvider = certificateProvider,
            Username = username,
            Password = Str(u, "password"),
        };
    }

    /// <summary>client-go's exec rules: a known apiVersion, never interactive, a relative path with a separator is relative to the kubeconfig.</summary>
    private static ExecPluginConfig ExecConfig(YamlMappingNode exec, string folder, KubeClientSettings cluster)
    {
        var command = Str(exec, "command") is { Length: > 0 } c ? c : throw new KubeConfigException("the user's exec plugin has no command");
        var apiVersion = Str(exec, "apiVersion");
        if (apiVersion is not ("client.authentication.k8s.io/v1" or "client.authentication.k8s.io/v1beta1"))
        {
            throw new KubeConfigException($"exec plugin apiVersion '{apiVersion}' is not supported (use client.authentication.k8s.io/v1 or v1beta1)");
        }

        var interactive = Str(exec, "interactiveMode");
        if (interactive == "Always")
        {
            throw new KubeConfigException($"exec plugin '{command}' has interactiveMode Always, but the operator never runs interactively; use a plugin mode that works without a terminal (IfAvailable or Never)");
        }

        if (interactive is not (null or "" or "IfAvailable" or "Never"))
        {
            throw new KubeConfigException($"exec plugin '{command}' has an unknown interactiveMode '{interactive}'");
        }

        if (!Path.IsPathRooted(command) && command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            command = Path.GetFullPath(Path.Combine(folder, command));
        }

        var args = exec.Children.TryGetValue(new YamlScalarNode("args"), out var a) && a is YamlSequenceNode argList
            ? argList.OfType<YamlScalarNode>().Select(n => n.Value ?? "").ToList()
            : [];
        var env = exec.Children.TryGetValue(new YamlScalarNode("env"), out var e) && e is YamlSequenceNode envList
            ? envList.OfType<YamlMappingNode>()
                .Select(n => new KeyValuePair<string, string>(Str(n, "name") ?? throw new KubeConfigException($"exec plugin '{command}' has an env entry without a name"), Str(n, "value") ?? ""))
                .ToList()
            : [];
        var clusterInfo = new System.Text.Json.Nodes.JsonObject
        {
            ["server"] = cluster.Server.ToString().TrimEnd('/'),
            ["insecure-skip-tls-verify"] = cluster.InsecureSkipTlsVerify,
        };
        if (cluster.TlsServerName is { } serverName)
        {
            clusterInfo["tls-server-name"] = serverName;
        }

        if (cluster.CertificateAuthorities is { Count: > 0 } cas)
        {
            var pem = string.Concat(cas.Select(ca => ca.ExportCertificatePem() + "\n"));
            clusterInfo["certificate-authority-data"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));
        }

        return new ExecPluginConfig
        {
            Command = command,
            Args = args,
            Env = env,
            ApiVersion = apiVersion,
            InstallHint = Str(exec, "installHint"),
            ProvideClusterInfo = Bool(exec, "provideClusterInfo"),
            ClusterJson = clusterInfo.ToJsonString(),
        };
    }

    internal static X509Certificate2Collection? LoadCas(byte[]? pem)
    {
        if (pem is null)
        {
            return null;
        }

        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(Encoding.ASCII.GetString(pem));
        return collection.Count == 0 ? throw new KubeConfigException("the certificate authority holds no certificate") : collection;
    }

    private static byte[]? Bytes(YamlMappingNode node, string dataKey, string fileKey, string folder)
    {
        if (Str(node, dataKey) is { Length: > 0 } data)
        {
            return Convert.FromBase64String(data);
        }

        return Str(node, fileKey) is { Length: > 0 } file ? File.ReadAllBytes(Resolve(file, folder)) : null;
    }

    private static string Resolve(string path, string folder) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(folder, path));

    /// <summary>YAML 1.1 spellings of true, which kubeconfigs written by hand use.</summary>
    private static bool Bool(YamlMappingNode node, string key) =>
        Str(node, key) is { } v && (v.Equals("true", StringComparison.OrdinalIgnoreCase) || v.Equals("yes", StringComparison.OrdinalIgnoreCase) || v.Equals("on", StringComparison.OrdinalIgnoreCase));

    internal static string? Str(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>A named cluster, user or context with the folder of the file that defined it.</summary>
    private sealed record Entry(YamlMappingNode Node, string Folder);

    private sealed class MergedConfig
    {
        public Dictionary<string, Entry> Clusters { get; } = [];
        public Dictionary<string, Entry> Users { get; } = [];
        public Dictionary<string, Entry> Contexts { get; } = [];
        public string? CurrentContext { get; private set; }
        public int FileCount { get; private set; }

        public void Add(string file)
        {
            var yaml = new YamlStream();
            using (var reader = new StreamReader(file))
            {
                yaml.Load(reader);
            }

            FileCount++;
            if (yaml.Documents.Count == 0 || yaml.Documents[0].RootNode is not YamlMappingNode root)
            {
                return;
            }

            var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
            CurrentContext ??= Str(root, "current-context") is { Length: > 0 } cc ? cc : null;
            AddNamed(root, "clusters", "cluster", Clusters, folder);
            AddNamed(root, "users", "user", Users, folder);
            AddNamed(root, "contexts", "context", Contexts, folder);
        }

        private static void AddNamed(YamlMappingNode root, string listKey, string itemKey, Dictionary<string, Entry> target, string folder)
        {
            if (!root.Children.TryGetValue(new YamlScalarNode(listKey), out var list) || list is not YamlSequenceNode seq)
            {
                return;
            }

            foreach (var item in seq.OfType<YamlMappingNode>())
            {
                var name = Str(item, "name");
                if (name is null || target.ContainsKey(name))
                {
                    continue;
                }

                var body = item.Children.TryGetValue(new YamlScalarNode(itemKey), out var b) && b is YamlMappingNode m ? m : new YamlMappingNode();
                target[name] = new Entry(body, folder);
            }
        }
    }
}
