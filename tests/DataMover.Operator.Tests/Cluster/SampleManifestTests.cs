namespace DataMover.Operator.Tests.Cluster;

/// <summary>Every file of deploy/samples is accepted by the API server as written (server-side dry run, CRDs installed).</summary>
[Collection(ClusterCollection.Name)]
public sealed class SampleManifestTests(ClusterFixture fixture) : ClusterTestBase(fixture)
{
    public static TheoryData<string> Samples()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Sandbox.SandboxFixture.RepoFile("deploy/samples"), "*.yaml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public async Task A_sample_applies_cleanly_with_a_server_side_dry_run(string file)
    {
        // Samples that name their namespace (cross-ns-backup.yaml) need it to exist; the others land in the one given.
        await Fixture.EnsureNamespaceAsync("backup-namespace");
        var ns = await Fixture.NewNamespaceAsync();
        var path = Sandbox.SandboxFixture.RepoFile("deploy/samples/" + file);
        var namesItsNamespace = (await File.ReadAllTextAsync(path)).Contains("\n  namespace: ", StringComparison.Ordinal);
        string[] target = namesItsNamespace ? [] : ["-n", ns];

        var (exit, output) = await Fixture.KubectlAsync(["apply", "--dry-run=server", .. target, "-f", path]);

        Assert.True(exit == 0, output);
        Assert.Contains("(server dry run)", output, StringComparison.Ordinal);
    }
}
