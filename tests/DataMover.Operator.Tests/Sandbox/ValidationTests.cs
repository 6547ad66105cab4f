namespace DataMover.Operator.Tests.Sandbox;

/// <summary>The CRD schema rejects bad manifests with a clear message, as kubectl apply would show it.</summary>
[Collection(SandboxCollection.Name)]
public sealed class ValidationTests(SandboxFixture fixture) : OperatorTestBase(fixture)
{
    [Theory]
    [InlineData("sourcePvc: Web_App\n  secretName: s", "spec.sourcePvc")]
    [InlineData("secretName: s", "spec.sourcePvc")]
    [InlineData("sourcePvc: a\n  secretName: s\n  image:\n    pullPolicy: Sometimes", "spec.image.pullPolicy")]
    [InlineData("sourcePvc: a\n  secretName: s\n  additionalEnv:\n  - name: \"1BAD=\"\n    value: x", "spec.additionalEnv[0].name")]
    public async Task InvalidSpecsAreRejected(string spec, string field)
    {
        var (status, body) = await Fixture.ApplyYamlAsync($"/apis/datamover.a-cup-of.coffee/v1alpha1/namespaces/{Ns}/datamovers",
            $"apiVersion: datamover.a-cup-of.coffee/v1alpha1\nkind: DataMover\nmetadata:\n  name: bad\nspec:\n  {spec}\n");
        Assert.Equal(422, status);
        Assert.Contains(field, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultsAreApplied()
    {
        var (status, body) = await Fixture.ApplyYamlAsync($"/apis/datamover.a-cup-of.coffee/v1alpha1/namespaces/{Ns}/datamovers",
            "apiVersion: datamover.a-cup-of.coffee/v1alpha1\nkind: DataMover\nmetadata:\n  name: defaults\nspec:\n  sourcePvc: web-app-data\n  secretName: storage-credentials\n");
        Assert.True(status == 201, body);
        var got = await DataMovers.GetAsync(Ns, "defaults");
        Assert.False(got.Spec!.AddTimestampPrefix);
        Assert.False(got.Spec.DeletePvcAfterBackup);
    }

    [Fact]
    public async Task PrinterColumnsShowPhaseSourceCloneAgeAndWideDestinationAndJob()
    {
        await CreateDataMoverAsync("columns");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Fixture.Cluster.Url, $"apis/datamover.a-cup-of.coffee/v1alpha1/namespaces/{Ns}/datamovers"));
        request.Headers.Accept.ParseAdd("application/json;as=Table;v=v1;g=meta.k8s.io");
        using var response = await Fixture.Http.SendAsync(request);
        var table = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        var columns = table["columnDefinitions"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["priority"]?.GetValue<int>() ?? 0)).ToList();
        Assert.Equal([("Name", 0), ("Phase", 0), ("Source", 0), ("Clone", 0), ("Age", 0), ("Destination", 1), ("Job", 1)], columns);
    }

    [Fact]
    public async Task SpecIsImmutable()
    {
        await CreateDataMoverAsync("immutable");
        var e = await Assert.ThrowsAsync<DataMover.Kube.Client.KubeApiException>(() =>
            DataMovers.PatchAsync(Ns, "immutable", DataMover.Kube.Client.KubePatch.Merge("{\"spec\":{\"sourcePvc\":\"other\"}}")));
        Assert.Contains("spec is immutable", e.Message, StringComparison.Ordinal);
    }
}
