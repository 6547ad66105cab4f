using System.Text.Json.Nodes;

namespace DataMover.Sandbox.Tests;

/// <summary>The real kubectl against the sandbox: every command must succeed without warnings.</summary>
public sealed class KubectlTests : IClassFixture<SandboxFixture>
{
    private const string DataMovers = "/apis/datamover.a-cup-of.coffee/v1alpha1";
    private readonly SandboxFixture _fx;

    public KubectlTests(SandboxFixture fx) => _fx = fx;

    private Kubectl K => _fx.Kubectl;

    private async Task<string> NamespaceAsync(string name)
    {
        var r = await _fx.Api.PostAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } });
        Assert.True(r.Status is System.Net.HttpStatusCode.Created or System.Net.HttpStatusCode.Conflict, r.Text);
        return name;
    }

    private async Task ApplyCrdAsync()
    {
        await K.OkAsync("apply", "-f", Kubectl.TestData("datamover-crd.yaml"));
        await K.OkAsync("wait", "--for=condition=Established", "crd/datamovers.datamover.a-cup-of.coffee", "--timeout=10s");
    }

    [Fact]
    public async Task ApiResources_lists_builtins_and_snapshot_crds()
    {
        var output = await K.OkAsync("api-resources");
        foreach (var expected in new[] { "pods", "persistentvolumeclaims", "jobs", "leases", "storageclasses", "csidrivers", "volumesnapshots", "customresourcedefinitions" })
        {
            Assert.Contains(expected, output);
        }

        Assert.Contains("v1.32.0", await K.OkAsync("version", "-o", "json"));
        Assert.Contains("Kubernetes control plane is running at https://127.0.0.1:", await K.OkAsync("cluster-info"));
        Assert.Equal("yes\n", await K.OkAsync("auth", "can-i", "create", "jobs", "-n", "default"));
        Assert.Matches(@"kubernetes\s+ClusterIP\s+10\.96\.0\.1\s+<none>\s+443/TCP", await K.OkAsync("get", "svc", "-n", "default"));
    }

    [Fact]
    public async Task Apply_crd_and_resource_twice_then_get_shows_printer_columns()
    {
        var ns = await NamespaceAsync("kubectl-apply");
        await ApplyCrdAsync();
        Assert.Contains("created", await K.OkAsync("apply", "-n", ns, "-f", Kubectl.TestData("datamover-sample.yaml")));
        Assert.Contains("unchanged", await K.OkAsync("apply", "-n", ns, "-f", Kubectl.TestData("datamover-sample.yaml")));

        var changed = (await File.ReadAllTextAsync(Kubectl.TestData("datamover-sample.yaml"))).Replace("backups", "archive", StringComparison.Ordinal);
        var reapply = await K.RunWithInputAsync(changed, "apply", "-n", ns, "-f", "-");
        Assert.Equal(0, reapply.ExitCode);
        Assert.Contains("configured", reapply.Stdout);

        var get = await K.OkAsync("get", "datamovers", "-n", ns);
        var header = get.Split('\n')[0];
        Assert.Matches(@"^NAME\s+PHASE\s+SOURCE\s+CLONE\s+AGE$", header.TrimEnd());
        Assert.Contains("nightly", get);
        Assert.Contains("data", get);

        var wide = await K.OkAsync("get", "dm", "-n", ns, "-o", "wide");
        Assert.Matches(@"^NAME\s+PHASE\s+SOURCE\s+CLONE\s+DESTINATION\s+JOB\s+AGE$", wide.Split('\n')[0].TrimEnd());
        Assert.Contains("archive", wide);

        var all = await K.OkAsync("get", "all", "-n", ns);
        Assert.Contains("datamover.datamover.a-cup-of.coffee/nightly", all);
    }

    [Fact]
    public async Task Apply_of_invalid_resource_prints_the_server_validation_error()
    {
        var ns = await NamespaceAsync("kubectl-invalid");
        await ApplyCrdAsync();
        var result = await K.RunAsync("apply", "-n", ns, "-f", Kubectl.TestData("datamover-invalid.yaml"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("The DataMover \"broken\" is invalid: spec.sourcePvc: Required value", result.Stderr);
    }

    [Fact]
    public async Task Wait_for_jsonpath_and_condition_after_status_patch()
    {
        var ns = await NamespaceAsync("kubectl-wait");
        await ApplyCrdAsync();
        await K.OkAsync("apply", "-n", ns, "-f", Kubectl.TestData("datamover-sample.yaml"));
        var waitPhase = K.RunAsync("wait", "-n", ns, "--for=jsonpath={.status.phase}=Completed", "dm/nightly", "--timeout=20s");
        var waitCondition = K.RunAsync("wait", "-n", ns, "--for=condition=Ready", "dm/nightly", "--timeout=20s");
        await Task.Delay(500);
        var patch = ApiClient.Obj("""{"status":{"phase":"Completed","conditions":[{"type":"Ready","status":"True","reason":"Done"}]}}""");
        var r = await _fx.Api.PatchAsync($"{DataMovers}/namespaces/{ns}/datamovers/nightly/status", patch);
        Assert.Equal(System.Net.HttpStatusCode.OK, r.Status);
        foreach (var wait in new[] { await waitPhase, await waitCondition })
        {
            Assert.True(wait.ExitCode == 0, wait.Stderr);
            Assert.Contains("condition met", wait.Stdout);
        }

        Assert.Contains("Completed", await K.OkAsync("get", "dm", "nightly", "-n", ns));
    }

    [Fact]
    public async Task Describe_lists_the_events_of_the_object()
    {
        var ns = await NamespaceAsync("kubectl-describe");
        await ApplyCrdAsync();
        await K.OkAsync("apply", "-n", ns, "-f", Kubectl.TestData("datamover-sample.yaml"));
        var dm = (await _fx.Api.GetAsync($"{DataMovers}/namespaces/{ns}/datamovers/nightly")).Object;
        var ev = ApiClient.Obj($$"""
        {"metadata":{"generateName":"nightly."},"type":"Normal","reason":"SnapshotCreated","message":"created snapshot nightly-1",
         "involvedObject":{"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","name":"nightly","namespace":"{{ns}}","uid":"{{dm["metadata"]!["uid"]}}"},
         "source":{"component":"datamover-operator"},"count":1,"firstTimestamp":"2024-01-01T00:00:00Z","lastTimestamp":"2024-01-01T00:00:00Z"}
        """);
        await _fx.Api.CreateOkAsync($"/api/v1/namespaces/{ns}/events", ev);
        var describe = await K.OkAsync("describe", "dm", "nightly", "-n", ns);
        Assert.Contains("SnapshotCreated", describe);
        Assert.Contains("created snapshot nightly-1", describe);

        var events = await K.OkAsync("get", "events", "-n", ns);
        Assert.Matches(@"^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE", events);
        Assert.Contains("datamover/nightly", events);
    }

    [Fact]
    public async Task Create_label_annotate_patch_delete_on_builtins()
    {
        var ns = await NamespaceAsync("kubectl-builtins");
        await K.OkAsync("create", "configmap", "settings", "-n", ns, "--from-literal=a=1");
        await K.OkAsync("create", "secret", "generic", "creds", "-n", ns, "--from-literal=password=s3cret");
        await K.OkAsync("create", "-n", ns, "-f", Kubectl.TestData("pod.yaml"));
        await K.OkAsync("create", "job", "once", "-n", ns, "--image=busybox:1.36", "--", "sh", "-c", "echo hi");
        var job = (await _fx.Api.GetAsync($"/apis/batch/v1/namespaces/{ns}/jobs/once")).Object;
        var jobContainer = job["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("busybox:1.36", jobContainer["image"]!.ToString());
        Assert.Equal("""["sh","-c","echo hi"]""", jobContainer["command"]!.ToJsonString());
        Assert.Equal("Never", job["spec"]!["template"]!["spec"]!["restartPolicy"]!.ToString());
        await K.OkAsync("label", "-n", ns, "configmap", "settings", "tier=backend");
        await K.OkAsync("annotate", "-n", ns, "configmap", "settings", "owner=team-a");
        await K.OkAsync("patch", "-n", ns, "configmap", "settings", "--type=merge", "-p", """{"data":{"b":"2"}}""");
        await K.OkAsync("patch", "-n", ns, "pod", "worker", "-p", """{"spec":{"containers":[{"name":"main","image":"busybox:1.37"}]}}""");

        var cm = (await _fx.Api.GetAsync($"/api/v1/namespaces/{ns}/configmaps/settings")).Object;
        Assert.Equal("backend", cm["metadata"]!["labels"]!["tier"]!.ToString());
        Assert.Equal("team-a", cm["metadata"]!["annotations"]!["owner"]!.ToString());
        Assert.Equal("2", cm["data"]!["b"]!.ToString());
        var pod = (await _fx.Api.GetAsync($"/api/v1/namespaces/{ns}/pods/worker")).Object;
        var containers = pod["spec"]!["containers"]!.AsArray();
        Assert.Equal(2, containers.Count);
        Assert.Equal("busybox:1.37", containers.Single(c => c!["name"]!.ToString() == "main")!["image"]!.ToString());

        var secret = (await _fx.Api.GetAsync($"/api/v1/namespaces/{ns}/secrets/creds")).Object;
        Assert.Equal("Opaque", secret["type"]!.ToString());
        Assert.Equal(Convert.ToBase64String("s3cret"u8.ToArray()), secret["data"]!["password"]!.ToString());

        var pods = await K.OkAsync("get", "pods", "-n", ns);
        Assert.Matches(@"^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE", pods);
        Assert.Matches(@"worker\s+0/2\s+Pending\s+0", pods);
        Assert.Equal("", await K.OkAsync("logs", "-n", ns, "worker", "-c", "main"));

        await K.OkAsync("delete", "-n", ns, "configmap", "settings");
        await K.OkAsync("delete", "-n", ns, "pod", "worker");
        var gone = await K.RunAsync("get", "-n", ns, "configmap", "settings");
        Assert.Contains("NotFound", gone.Stderr);
    }

    [Fact]
    public async Task Strategic_merge_patch_on_custom_resource_is_rejected_like_the_real_server()
    {
        var ns = await NamespaceAsync("kubectl-smp");
        await ApplyCrdAsync();
        await K.OkAsync("apply", "-n", ns, "-f", Kubectl.TestData("datamover-sample.yaml"));
        var result = await K.RunAsync("patch", "-n", ns, "dm", "nightly", "-p", """{"spec":{"retries":4}}""");
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", result.Stderr);
        await K.OkAsync("patch", "-n", ns, "dm", "nightly", "--type=json", "-p", """[{"op":"replace","path":"/spec/retries","value":4}]""");
        Assert.Equal("4", await K.OkAsync("get", "-n", ns, "dm", "nightly", "-o", "jsonpath={.spec.retries}"));
    }

    [Fact]
    public async Task Builtin_tables_show_the_real_columns()
    {
        var ns = await NamespaceAsync("kubectl-tables");
        await K.OkAsync("apply", "-n", ns, "-f", Kubectl.TestData("pvc-and-job.yaml"));
        var pvc = await K.OkAsync("get", "pvc", "-n", ns);
        Assert.Matches(@"^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE", pvc);
        Assert.Matches(@"data\s+Pending", pvc);
        var jobs = await K.OkAsync("get", "jobs", "-n", ns);
        Assert.Matches(@"^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE", jobs);
        Assert.Matches(@"copy\s+Running\s+0/1", jobs);
        Assert.Contains("kubernetes.io/pvc-protection", await K.OkAsync("get", "pvc", "data", "-n", ns, "-o", "jsonpath={.metadata.finalizers}"));
        Assert.Contains("Active", await K.OkAsync("get", "ns", ns));
        Assert.Contains("Created At".ToUpperInvariant(), await K.OkAsync("get", "crd"));
    }

    [Fact]
    public async Task Server_side_apply_creates_and_updates()
    {
        var ns = await NamespaceAsync("kubectl-ssa");
        await ApplyCrdAsync();
        Assert.Contains("serverside-applied", await K.OkAsync("apply", "--server-side", "-n", ns, "-f", Kubectl.TestData("datamover-sample.yaml")));
        Assert.Contains("serverside-applied", await K.OkAsync("apply", "--server-side", "-n", ns, "-f", Kubectl.TestData("datamover-sample.yaml")));
        var obj = (await _fx.Api.GetAsync($"{DataMovers}/namespaces/{ns}/datamovers/nightly")).Object;
        Assert.Equal("data", obj["spec"]!["sourcePvc"]!.ToString());
    }

    [Fact]
    public async Task Delete_waits_for_finalizers_and_get_watch_sees_changes()
    {
        var ns = await NamespaceAsync("kubectl-delete");
        var cm = ApiClient.Obj("""{"metadata":{"name":"held","finalizers":["example.com/hold"]},"data":{"a":"1"}}""");
        await _fx.Api.CreateOkAsync($"/api/v1/namespaces/{ns}/configmaps", cm);
        Assert.Contains("deleted", await K.OkAsync("delete", "-n", ns, "configmap", "held", "--wait=false"));
        var deleting = (await _fx.Api.GetAsync($"/api/v1/namespaces/{ns}/configmaps/held")).Object;
        Assert.NotNull(deleting["metadata"]!["deletionTimestamp"]);

        var deleteAndWait = K.RunAsync("delete", "-n", ns, "configmap", "held", "--timeout=20s");
        await Task.Delay(700);
        var release = await _fx.Api.PatchAsync($"/api/v1/namespaces/{ns}/configmaps/held", ApiClient.Obj("""{"metadata":{"finalizers":null}}"""));
        Assert.Equal(System.Net.HttpStatusCode.OK, release.Status);
        var done = await deleteAndWait;
        Assert.True(done.ExitCode == 0, done.Stderr);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await _fx.Api.GetAsync($"/api/v1/namespaces/{ns}/configmaps/held")).Status);
        _ = JsonValue.Create(1);
    }
}
