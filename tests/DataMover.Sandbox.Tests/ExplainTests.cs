using System.Text.RegularExpressions;

namespace DataMover.Sandbox.Tests;

/// <summary>
/// kubectl explain against the deployed CRDs: the sandbox publishes their schemas in /openapi/v3 as the
/// apiextensions server does, so the field descriptions are the API reference.
/// </summary>
public sealed partial class ExplainTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _fx;

    public ExplainTests(SandboxFixture fx) => _fx = fx;

    private Kubectl K => _fx.Kubectl;

    [Fact]
    public async Task Explain_a_field_prints_its_type_description_and_subfields()
    {
        await DeployedCrds.ApplyAsync(K);

        var output = await K.OkAsync("explain", "datamover.spec.image");

        Assert.Contains("GROUP:      datamover.a-cup-of.coffee", output);
        Assert.Contains("KIND:       DataMover", output);
        Assert.Contains("VERSION:    v1alpha1", output);
        Assert.Contains("FIELD: image <Object>", output);
        Assert.Contains("Mover image; unset fields fall back to the operator default.", Flat(output));
        Assert.Matches(@"pullPolicy\t<string>\n\s+enum: Always, IfNotPresent, Never\n\s+When the kubelet pulls the image\.", output);
        Assert.Matches(@"tag\t<string>\n\s+Image tag\.", output);
        Assert.DoesNotContain("<no description>", output);
    }

    [Fact]
    public async Task Explain_a_kind_describes_it_and_its_standard_fields()
    {
        await DeployedCrds.ApplyAsync(K);

        var output = Flat(await K.OkAsync("explain", "datamoverrestores"));

        Assert.Contains("KIND: DataMoverRestore", output);
        Assert.Contains("DataMoverRestore restores one backup from S3-compatible storage into a PVC", output);
        Assert.Contains("metadata <Object> Standard object's metadata.", output);
        Assert.Contains("spec <Object> -required- What to restore and where to.", output);
        Assert.DoesNotContain("<no description>", output);
    }

    [Fact]
    public async Task Explain_recursive_lists_every_field_with_its_type()
    {
        await DeployedCrds.ApplyAsync(K);

        var output = await K.OkAsync("explain", "datamovers.spec", "--recursive");

        Assert.Contains("What to back up and where. Immutable once created.", Flat(output));
        Assert.Matches(@"\n  sourcePvc\t<string> -required-\n", output);
        Assert.Matches(@"\n  additionalEnv\t<\[\]Object>\n    name\t<string> -required-\n", output);
        Assert.Matches(@"\n      secretKeyRef\t<Object>\n", output);
        Assert.Matches(@"\n    moverRun\t<string>\n", output);
    }

    [Fact]
    public async Task Explain_schedule_fields_says_what_they_do()
    {
        await DeployedCrds.ApplyAsync(K);

        var schedule = await K.OkAsync("explain", "datamoverschedules.spec.schedule");
        Assert.Contains("KIND:       DataMoverSchedule", schedule);
        Assert.Contains("FIELD: schedule <string>", schedule);
        Assert.Contains("Standard five-field cron (minute hour day-of-month month day-of-week)", Flat(schedule));

        var delete = Flat(await K.OkAsync("explain", "dms.spec.deletePvcAfterBackup"));
        Assert.Contains("FIELD: deletePvcAfterBackup <boolean>", delete);
        Assert.Contains("Delete each run's clone of the source PVC after a successful backup; the source PVC itself is never deleted.", delete);

        var oneOff = Flat(await K.OkAsync("explain", "datamover.spec.deletePvcAfterBackup"));
        Assert.Contains("Delete the clone after a successful backup; the source PVC itself is never deleted.", oneOff);

        var conditions = Flat(await K.OkAsync("explain", "dms.status.conditions"));
        Assert.Contains("FIELD: conditions <[]Object>", conditions);
        Assert.Contains("lastTransitionTime <string> -required-", conditions);
        Assert.Contains("status <string> -required- enum: True, False, Unknown", conditions);
    }

    [Fact]
    public async Task Explain_an_unknown_field_fails_naming_it()
    {
        await DeployedCrds.ApplyAsync(K);

        var result = await K.RunAsync("explain", "datamover.spec.nosuchfield");

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("field \"nosuchfield\" does not exist", result.Stderr);
    }

    [Fact]
    public async Task OpenApi_v3_names_custom_schemas_by_reverse_dns_group_and_tags_their_kind()
    {
        await DeployedCrds.ApplyAsync(K);

        var index = await _fx.Api.GetAsync("/openapi/v3");
        var url = index.Str("paths", "apis/datamover.a-cup-of.coffee/v1alpha1", "serverRelativeURL");
        Assert.StartsWith("/openapi/v3/apis/datamover.a-cup-of.coffee/v1alpha1?hash=", url);

        var document = await _fx.Api.GetAsync(url!);
        var schema = document.Object["components"]!["schemas"]!["coffee.a-cup-of.datamover.v1alpha1.DataMoverSchedule"]!;
        var gvk = Assert.Single(schema["x-kubernetes-group-version-kind"]!.AsArray())!;
        Assert.Equal("datamover.a-cup-of.coffee", (string?)gvk["group"]);
        Assert.Equal("v1alpha1", (string?)gvk["version"]);
        Assert.Equal("DataMoverSchedule", (string?)gvk["kind"]);
        Assert.Equal("object", (string?)schema["properties"]!["spec"]!["type"]);
    }

    // kubectl explain wraps descriptions at 76 columns; assertions read them as one line.
    private static string Flat(string text) => Whitespace().Replace(text, " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
