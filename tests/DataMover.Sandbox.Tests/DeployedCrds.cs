namespace DataMover.Sandbox.Tests;

/// <summary>Installs the project's own CRDs (deploy/crds) with kubectl and waits until they are served.</summary>
internal static class DeployedCrds
{
    private static readonly string[] Names =
    [
        "datamovers.datamover.a-cup-of.coffee",
        "datamoverschedules.datamover.a-cup-of.coffee",
        "datamoverrestores.datamover.a-cup-of.coffee",
    ];

    public static async Task ApplyAsync(Kubectl kubectl)
    {
        var crds = Path.Combine(Sandbox.Node.ImageTable.FindRepoRoot(AppContext.BaseDirectory)!, "deploy", "crds");
        await kubectl.OkAsync("apply", "-f", crds);
        foreach (var name in Names)
        {
            await kubectl.OkAsync("wait", "--for=condition=Established", "crd/" + name, "--timeout=10s");
        }
    }
}
