using System.Net;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.Tests;

/// <summary>generateName as kube-apiserver's SimpleNameGenerator does it.</summary>
public sealed class GenerateNameTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _fx;

    public GenerateNameTests(SandboxFixture fx) => _fx = fx;

    [Fact]
    public async Task LongGenerateNameIsCutSoTheNameHas63Characters()
    {
        var prefix = new string('a', 60) + "-long-";
        Assert.Equal(66, prefix.Length);
        var body = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["generateName"] = prefix + "xxxx" } };
        var created = await _fx.Api.CreateOkAsync("/api/v1/namespaces/default/configmaps", body);
        var name = created["metadata"]!["name"]!.ToString();
        Assert.Equal(63, name.Length);
        Assert.StartsWith(prefix[..58], name);
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{5}$", name[58..]);
        Assert.Equal(HttpStatusCode.OK, (await _fx.Api.GetAsync("/api/v1/namespaces/default/configmaps/" + name)).Status);
    }

    [Fact]
    public async Task KubectlCreateWithA70CharacterGenerateNameYieldsA63CharacterName()
    {
        var prefix = new string('k', 70);
        var manifest = $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: {prefix}\n";
        var path = Path.Combine(_fx.Cluster.DataDir, "generate-name.yaml");
        await File.WriteAllTextAsync(path, manifest);
        var result = await _fx.Kubectl.OkAsync("create", "-f", path, "-o", "jsonpath={.metadata.name}");
        Assert.Equal(63, result.Trim().Length);
        Assert.StartsWith(prefix[..58], result.Trim());
    }
}
