namespace DataMover.Bench;

/// <summary>The real kubectl against a kubeconfig, for what an administrator would do by hand (CRDs, RBAC, tokens).</summary>
internal sealed class Kubectl(string kubeconfig)
{
    public async Task<string> RunAsync(CancellationToken ct, params string[] args) => await RunAsync(null, ct, args);

    public async Task<string> RunAsync(string? stdin, CancellationToken ct, params string[] args)
    {
        var info = CommandRunner.Info("kubectl", ["--kubeconfig", kubeconfig, .. args]);
        var result = await CommandRunner.RunAsync(info, ct, stdin);
        if (result.ExitCode != 0)
        {
            throw new BenchException($"kubectl {string.Join(' ', args)} failed: {result.LastErrorLine}");
        }

        return result.Stdout;
    }
}
