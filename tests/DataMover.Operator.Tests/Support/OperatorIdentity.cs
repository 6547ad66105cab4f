using DataMover.Sandbox.Hosting;

namespace DataMover.Operator.Tests.Support;

/// <summary>
/// The identity the operator really runs under: deploy/rbac applied by an administrator with kubectl, and a token of
/// the operator's ServiceAccount from `kubectl create token`. Operator tests run under it, so a rule missing from
/// deploy/rbac is a 403 in some test, as it would be on a cluster. Shared with the end-to-end tests (linked there).
/// </summary>
internal static class OperatorIdentity
{
    public const string Namespace = "datamover-operator-system";
    public const string ServiceAccount = "datamover-operator-controller-manager";
    public const string User = "system:serviceaccount:" + Namespace + ":" + ServiceAccount;

    /// <summary>Applies deploy/manager/namespace.yaml and deploy/rbac; a kubeconfig authenticating as the operator's ServiceAccount.</summary>
    public static async Task<string> InstallAsync(SandboxCluster cluster)
    {
        var admin = cluster.KubeconfigPath;
        await Kubectl.RunAsync(admin, "apply", "-f", RepoFile("deploy/manager/namespace.yaml"));
        await Kubectl.RunAsync(admin, "apply", "-k", Path.GetDirectoryName(RepoFile("deploy/rbac/kustomization.yaml"))!);
        return await TokenKubeconfigAsync(cluster);
    }

    /// <summary>
    /// deploy/rbac and deploy/manager with deploy/components/namespaced watching <paramref name="watched"/>, rendered
    /// with `kubectl kustomize` as a user's overlay would (deploy/overlays/namespaced with the namespace set); its
    /// RBAC objects applied. Returns the kubeconfig and the manager's DATAMOVER_NAMESPACE as rendered.
    /// </summary>
    public static async Task<(string Kubeconfig, string RenderedNamespace)> InstallNamespacedAsync(SandboxCluster cluster, string watched)
    {
        var admin = cluster.KubeconfigPath;
        var overlay = Directory.CreateDirectory(Path.Combine(cluster.DataDir, "namespaced-" + Guid.NewGuid().ToString("n")[..6])).FullName;
        await File.WriteAllTextAsync(Path.Combine(overlay, "watch-namespace.yaml"), $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: datamover-watch-namespace
              annotations:
                config.kubernetes.io/local-config: "true"
            data:
              namespace: {watched}
            """);
        await File.WriteAllTextAsync(Path.Combine(overlay, "kustomization.yaml"), $"""
            resources:
              - {Path.GetRelativePath(overlay, RepoFile("deploy/rbac"))}
              - {Path.GetRelativePath(overlay, RepoFile("deploy/manager"))}
              - watch-namespace.yaml
            components:
              - {Path.GetRelativePath(overlay, RepoFile("deploy/components/namespaced"))}
            """);
        var rendered = await Kubectl.RunAsync(admin, "kustomize", overlay);
        var documents = rendered.Split("\n---\n");
        // The sandbox serves no Deployments (it has no controller to run one): everything else is applied, and the
        // Deployment is read for the namespace it was given; the operator runs in-process with that namespace.
        var applied = documents.Where(d => !d.Contains("\nkind: Deployment\n", StringComparison.Ordinal));
        var manifest = Path.Combine(overlay, "applied.yaml");
        await File.WriteAllTextAsync(manifest, string.Join("\n---\n", applied));
        await Kubectl.RunAsync(admin, "apply", "-f", manifest);
        var deployment = documents.Single(d => d.Contains("\nkind: Deployment\n", StringComparison.Ordinal));
        var env = System.Text.RegularExpressions.Regex.Match(deployment, @"- name: DATAMOVER_NAMESPACE\n\s+value: (\S+)");
        Assert.True(env.Success, "the rendered Deployment sets no DATAMOVER_NAMESPACE:\n" + deployment);
        return (await TokenKubeconfigAsync(cluster), env.Groups[1].Value);
    }

    private static async Task<string> TokenKubeconfigAsync(SandboxCluster cluster)
    {
        var admin = cluster.KubeconfigPath;
        var token = (await Kubectl.RunAsync(admin, "create", "token", ServiceAccount, "-n", Namespace, "--duration=24h")).Trim();
        var path = Path.Combine(cluster.DataDir, "operator-" + Guid.NewGuid().ToString("n")[..6] + ".kubeconfig");
        cluster.WriteKubeconfig(path, token);
        return path;
    }

    /// <summary>
    /// The shipped leader-election Role and RoleBinding, placed in <paramref name="ns"/> instead of the operator's
    /// namespace, for tests that elect a leader in their own namespace.
    /// </summary>
    public static async Task GrantLeaderElectionAsync(SandboxCluster cluster, string ns)
    {
        foreach (var file in new[] { "deploy/rbac/leader_election_role.yaml", "deploy/rbac/leader_election_role_binding.yaml" })
        {
            var yaml = await File.ReadAllTextAsync(RepoFile(file));
            // Only the object's own namespace moves: the binding's subject stays the operator's ServiceAccount.
            var moved = yaml.Replace("  namespace: " + Namespace + "\nroleRef", "  namespace: " + ns + "\nroleRef", StringComparison.Ordinal)
                .Replace("  namespace: " + Namespace + "\nrules", "  namespace: " + ns + "\nrules", StringComparison.Ordinal);
            Assert.NotEqual(yaml, moved);
            var temp = Path.Combine(cluster.DataDir, Guid.NewGuid().ToString("n") + ".yaml");
            await File.WriteAllTextAsync(temp, moved);
            await Kubectl.RunAsync(cluster.KubeconfigPath, "apply", "-f", temp);
            File.Delete(temp);
        }
    }

    private static string RepoFile(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "DataMover.sln")))
            {
                return Path.Combine(dir.FullName, relative);
            }
        }

        throw new FileNotFoundException(relative);
    }
}
