using System.Text.Json.Nodes;

namespace DataMover.Sandbox.Tests;

/// <summary>
/// The deployed CRDs through kubectl: their category does not shadow a resource name, bad templates are
/// refused at apply time, and status conditions must be metav1.Conditions.
/// </summary>
public sealed class DeployedCrdValidationTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _fx;

    public DeployedCrdValidationTests(SandboxFixture fx) => _fx = fx;

    private Kubectl K => _fx.Kubectl;

    private async Task<string> NamespaceAsync(string name)
    {
        var r = await _fx.Api.PostAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } });
        Assert.True(r.Status is System.Net.HttpStatusCode.Created or System.Net.HttpStatusCode.Conflict, r.Text);
        return name;
    }

    private async Task ApplyAsync(string manifest, string ns)
    {
        var result = await K.RunWithInputAsync(manifest, "apply", "-n", ns, "-f", "-");
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    private static string Schedule(string name, string extraSpec) => $$"""
        apiVersion: datamover.a-cup-of.coffee/v1alpha1
        kind: DataMoverSchedule
        metadata: {name: {{name}}}
        spec: {schedule: "@daily", sourcePvc: data, secretName: creds, {{extraSpec}}}
        """;

    private static string DataMover(string name, string extraSpec) => $$"""
        apiVersion: datamover.a-cup-of.coffee/v1alpha1
        kind: DataMover
        metadata: {name: {{name}}}
        spec: {sourcePvc: data, secretName: creds, {{extraSpec}}}
        """;

    [Fact]
    public async Task Resource_names_get_their_own_kind_the_category_gets_all_three_and_all_gets_none()
    {
        await DeployedCrds.ApplyAsync(K);
        var ns = await NamespaceAsync("crd-category");
        await ApplyAsync(DataMover("nightly-backup", "") + "\n---\n" + Schedule("nightly", ""), ns);

        foreach (var name in new[] { "datamover", "datamovers", "dm" })
        {
            var output = await K.OkAsync("get", name, "-n", ns);
            Assert.Contains("nightly-backup", output);
            Assert.DoesNotContain("@daily", output);
        }

        Assert.Contains("nightly-backup", await K.OkAsync("get", "datamover", "-A"));
        var category = await K.OkAsync("get", "datamover-operator", "-n", ns);
        Assert.Contains("datamover.datamover.a-cup-of.coffee/nightly-backup", category);
        Assert.Contains("datamoverschedule.datamover.a-cup-of.coffee/nightly", category);
        // DataMovers are not in "all", so `kubectl delete all --all` leaves backups and their history alone.
        var all = await K.RunAsync("get", "all", "-n", ns);
        Assert.Equal(0, all.ExitCode);
        Assert.DoesNotContain("nightly", all.Stdout + all.Stderr);
    }

    [Theory]
    [InlineData("additionalEnv: [{name: 1X, value: a}]", "spec.additionalEnv[0].name in body should match '^[-._a-zA-Z][-._a-zA-Z0-9]*$'")]
    [InlineData("additionalEnv: [{name: X, value: a, valueFrom: {secretKeyRef: {name: s, key: k}}}]", "spec.additionalEnv[0]: Invalid value: \"object\": value and valueFrom are mutually exclusive")]
    [InlineData("additionalEnv: [{name: X, valueFrom: {}}]", "spec.additionalEnv[0].valueFrom: Invalid value: \"object\": valueFrom must set exactly one of secretKeyRef, configMapKeyRef, fieldRef and resourceFieldRef")]
    [InlineData("additionalEnv: [{name: X, valueFrom: {secretKeyRef: {name: s, key: k}, fieldRef: {fieldPath: metadata.name}}}]", "valueFrom must set exactly one of")]
    [InlineData("additionalEnv: [{name: X, valueFrom: {secretKeyRef: {name: s}}}]", "spec.additionalEnv[0].valueFrom.secretKeyRef.key: Required value")]
    [InlineData("image: {pullPolicy: Sometimes}", "spec.image.pullPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"IfNotPresent\", \"Never\"")]
    [InlineData("image: {tag: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}", "spec.image.tag: Too long: may not be more than 128 bytes")]
    [InlineData("timeouts: {moverRun: forever}", "spec.timeouts.moverRun in body should match")]
    [InlineData("path: /absolute", "spec.path in body should match")]
    public async Task A_schedule_template_the_DataMover_CRD_would_refuse_is_refused_at_apply(string extraSpec, string message)
    {
        await DeployedCrds.ApplyAsync(K);
        var ns = await NamespaceAsync("crd-strict");

        var schedule = await K.RunWithInputAsync(Schedule("bad", extraSpec), "apply", "-n", ns, "-f", "-");
        var dataMover = await K.RunWithInputAsync(DataMover("bad", extraSpec), "apply", "-n", ns, "-f", "-");

        Assert.NotEqual(0, schedule.ExitCode);
        Assert.Contains("The DataMoverSchedule \"bad\" is invalid", schedule.Stderr);
        Assert.Contains(message, schedule.Stderr);
        Assert.NotEqual(0, dataMover.ExitCode);
        Assert.Contains(message, dataMover.Stderr);
    }

    [Fact]
    public async Task A_schedule_with_a_valid_valueFrom_is_accepted()
    {
        await DeployedCrds.ApplyAsync(K);
        var ns = await NamespaceAsync("crd-strict-ok");

        await ApplyAsync(Schedule("good", "additionalEnv: [{name: RCLONE_X, valueFrom: {secretKeyRef: {name: s, key: k}}}, {name: EMPTY, value: ''}]"), ns);

        Assert.Contains("RCLONE_X", await K.OkAsync("get", "dms", "good", "-n", ns, "-o", "jsonpath={.spec.additionalEnv[0].name}"));
    }

    [Theory]
    [InlineData("""[{"type":"Ready","status":"True","reason":"Done","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"},{"type":"Ready","status":"False","reason":"Other","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]""",
        "status.conditions[1]: Duplicate value: map[string]interface {}{\"type\":\"Ready\"}")]
    [InlineData("""[{"type":"Ready","status":"True","reason":"not a word","message":"m","lastTransitionTime":"2026-01-01T00:00:00Z"}]""",
        "status.conditions[0].reason in body should match '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'")]
    [InlineData("""[{"type":"Ready","status":"True","message":"m"}]""", "status.conditions[0].lastTransitionTime: Required value")]
    [InlineData("""[{"type":"Ready","status":"True","message":"m","lastTransitionTime":"2026-01-01T00:00:00Z"}]""", "status.conditions[0].reason: Required value")]
    [InlineData("""[{"type":"Ready","status":"True","reason":"Done","lastTransitionTime":"2026-01-01T00:00:00Z"}]""", "status.conditions[0].message: Required value")]
    [InlineData("""[{"type":"Ready","status":"Maybe","reason":"Done","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]""", "status.conditions[0].status: Unsupported value: \"Maybe\"")]
    [InlineData("""[{"type":"Ready","status":"True","reason":"Done","message":"","lastTransitionTime":"2026-01-01T00:00:00Z","observedGeneration":-1}]""", "status.conditions[0].observedGeneration in body should be greater than or equal to 0")]
    [InlineData("""[{"type":"not ready","status":"True","reason":"Done","message":"","lastTransitionTime":"2026-01-01T00:00:00Z"}]""", "status.conditions[0].type in body should match")]
    public async Task A_status_write_with_a_condition_metav1_would_refuse_is_refused(string conditions, string message)
    {
        await DeployedCrds.ApplyAsync(K);
        var ns = await NamespaceAsync("crd-conditions");
        foreach (var (kind, manifest) in new[] { ("dm", DataMover("conditions", "")), ("dms", Schedule("conditions", "")) })
        {
            await ApplyAsync(manifest, ns);

            var result = await K.RunAsync("patch", kind, "conditions", "-n", ns, "--subresource=status", "--type=merge", "-p", $$$"""{"status":{"conditions":{{{conditions}}}}}""");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains(message, result.Stderr);
        }
    }

    [Fact]
    public async Task A_status_write_with_well_formed_conditions_is_accepted()
    {
        await DeployedCrds.ApplyAsync(K);
        var ns = await NamespaceAsync("crd-conditions-ok");
        await ApplyAsync(DataMover("fine", ""), ns);

        await K.OkAsync("patch", "dm", "fine", "-n", ns, "--subresource=status", "--type=merge", "-p",
            """{"status":{"conditions":[{"type":"Ready","status":"True","reason":"Done","message":"","lastTransitionTime":"2026-01-01T00:00:00Z","observedGeneration":1},{"type":"Progressing","status":"False","reason":"Done","message":"finished","lastTransitionTime":"2026-01-01T00:00:00Z"}]}}""");

        Assert.Equal("Ready Progressing", await K.OkAsync("get", "dm", "fine", "-n", ns, "-o", "jsonpath={.status.conditions[*].type}"));
    }
}
