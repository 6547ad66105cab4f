using System.Net;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.Tests;

/// <summary>spec.podFailurePolicy is validated as kube-apiserver 1.32 does (pkg/apis/batch/validation).</summary>
public sealed class PodFailurePolicyValidationTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _fx;

    public PodFailurePolicyValidationTests(SandboxFixture fx) => _fx = fx;

    [Fact]
    public async Task ValidPolicyIsStoredWithFailedReplacementPolicy()
    {
        var created = await _fx.Api.CreateOkAsync("/apis/batch/v1/namespaces/default/jobs", Job("pfp-ok", "Never", """
            {"rules":[{"action":"FailJob","onExitCodes":{"containerName":"main","operator":"In","values":[1,3]}},
                      {"action":"Ignore","onPodConditions":[{"type":"DisruptionTarget","status":"True"}]},
                      {"action":"Count","onExitCodes":{"operator":"NotIn","values":[0]}}]}
            """));
        Assert.Equal("Failed", created["spec"]!["podReplacementPolicy"]!.ToString());
        Assert.Equal(3, created["spec"]!["podFailurePolicy"]!["rules"]!.AsArray().Count);
    }

    [Fact]
    public async Task PolicyRequiresRestartPolicyNever()
    {
        var response = await _fx.Api.PostAsync("/apis/batch/v1/namespaces/default/jobs", Job("pfp-restart", "OnFailure",
            """{"rules":[{"action":"FailJob","onExitCodes":{"operator":"In","values":[3]}}]}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains("spec.template.spec.restartPolicy: Invalid value: \"OnFailure\": only \"Never\" is supported when podFailurePolicy is specified", response.Str("message"));
    }

    [Theory]
    [InlineData("""{"operator":"In","values":[0,3]}""", "spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator")]
    [InlineData("""{"operator":"In","values":[]}""", "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{}: at least one value is required")]
    [InlineData("""{"operator":"In","values":[3,3]}""", "spec.podFailurePolicy.rules[0].onExitCodes.values[1]: Duplicate value: 3")]
    [InlineData("""{"operator":"In","values":[4,3]}""", "spec.podFailurePolicy.rules[0].onExitCodes.values: Invalid value: []int32{4, 3}: must be ordered")]
    [InlineData("""{"operator":"Has","values":[3]}""", "spec.podFailurePolicy.rules[0].onExitCodes.operator: Unsupported value: \"Has\": supported values: \"In\", \"NotIn\"")]
    [InlineData("""{"values":[3]}""", "spec.podFailurePolicy.rules[0].onExitCodes.operator: Required value: valid values: [\"In\" \"NotIn\"]")]
    [InlineData("""{"containerName":"other","operator":"In","values":[3]}""", "spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: \"other\": must be one of the container or initContainer names in the pod template")]
    public async Task ExitCodeRequirementsAreChecked(string onExitCodes, string expected)
    {
        var response = await _fx.Api.PostAsync("/apis/batch/v1/namespaces/default/jobs", Job("pfp-bad", "Never",
            "{\"rules\":[{\"action\":\"FailJob\",\"onExitCodes\":" + onExitCodes + "}]}"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        Assert.Contains(expected, response.Str("message"));
    }

    [Fact]
    public async Task TooManyValuesAndBadRulesAreRejected()
    {
        var values = string.Join(",", Enumerable.Range(1, 256));
        var response = await _fx.Api.PostAsync("/apis/batch/v1/namespaces/default/jobs", Job("pfp-many", "Never",
            """{"rules":[{"action":"FailJob","onExitCodes":{"operator":"In","values":[VALUES]}},{"action":"Explode","onPodConditions":[{"type":"Ready"}]},{"action":"Count"}]}""".Replace("VALUES", values, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.Status);
        var causes = response.Object["details"]!["causes"]!.AsArray().Select(c => $"{c!["field"]}: {c["message"]}").ToList();
        Assert.Contains("spec.podFailurePolicy.rules[0].onExitCodes.values: Too many: 256: must have at most 255 items", causes);
        Assert.Contains("spec.podFailurePolicy.rules[1].action: Unsupported value: \"Explode\": supported values: \"Count\", \"FailIndex\", \"FailJob\", \"Ignore\"", causes);
        Assert.Contains("spec.podFailurePolicy.rules[1].onPodConditions[0].status: Required value: valid values: [\"False\" \"True\" \"Unknown\"]", causes);
        Assert.Contains("spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required", causes);
    }

    private static JsonObject Job(string name, string restartPolicy, string policy)
    {
        var job = ApiClient.Obj("""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{},
             "spec":{"template":{"spec":{"containers":[{"name":"main","image":"busybox"}]}}}}
            """);
        job["metadata"]!["name"] = name;
        job["spec"]!["podFailurePolicy"] = JsonNode.Parse(policy);
        job["spec"]!["template"]!["spec"]!["restartPolicy"] = restartPolicy;
        return job;
    }
}
