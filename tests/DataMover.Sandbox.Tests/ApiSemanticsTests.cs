using System.Net;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.Tests;

/// <summary>Object semantics over raw HTTP: concurrency, finalizers, validation, subresources, paging, selectors.</summary>
public sealed class ApiSemanticsTests : IClassFixture<SandboxFixture>
{
    private const string Crd = "datamovers.datamover.a-cup-of.coffee";
    private readonly SandboxFixture _fx;

    public ApiSemanticsTests(SandboxFixture fx) => _fx = fx;

    private ApiClient Api => _fx.Api;

    private async Task<string> NamespaceAsync(string name)
    {
        var r = await Api.PostAsync("/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = name } });
        Assert.True(r.Status is HttpStatusCode.Created or HttpStatusCode.Conflict, r.Text);
        return name;
    }

    private async Task<string> DataMoversAsync(string ns)
    {
        if ((await Api.GetAsync($"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{Crd}")).Status == HttpStatusCode.NotFound)
        {
            await _fx.Kubectl.OkAsync("apply", "-f", Kubectl.TestData("datamover-crd.yaml"));
        }

        return $"/apis/datamover.a-cup-of.coffee/v1alpha1/namespaces/{ns}/datamovers";
    }

    private static JsonObject ConfigMap(string name, string labels = "{}") =>
        new()
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = JsonNode.Parse(labels) },
            ["data"] = new JsonObject { ["k"] = "v" },
        };

    [Fact]
    public async Task Stale_update_conflicts_with_the_real_message_and_no_version_update_is_unconditional()
    {
        var ns = await NamespaceAsync("api-conflict");
        var created = await Api.CreateOkAsync($"/api/v1/namespaces/{ns}/configmaps", ConfigMap("c1"));
        var path = $"/api/v1/namespaces/{ns}/configmaps/c1";
        var first = created.DeepClone().AsObject();
        first["data"]!["k"] = "v2";
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync(path, first)).Status);

        var stale = created.DeepClone().AsObject();
        stale["data"]!["k"] = "v3";
        var conflict = await Api.PutAsync(path, stale);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("Conflict", conflict.Str("reason"));
        Assert.Equal("Operation cannot be fulfilled on configmaps \"c1\": the object has been modified; please apply your changes to the latest version and try again", conflict.Str("message"));

        stale["metadata"]!.AsObject().Remove("resourceVersion");
        var unconditional = await Api.PutAsync(path, stale);
        Assert.Equal(HttpStatusCode.OK, unconditional.Status);
        Assert.True(long.Parse(unconditional.Str("metadata", "resourceVersion")!) > long.Parse(created["metadata"]!["resourceVersion"]!.ToString()));

        var same = await Api.PutAsync(path, unconditional.Object);
        Assert.Equal(unconditional.Str("metadata", "resourceVersion"), same.Str("metadata", "resourceVersion"));

        var withVersion = ConfigMap("c2");
        withVersion["metadata"]!["resourceVersion"] = "42";
        var rvOnCreate = await Api.PostAsync($"/api/v1/namespaces/{ns}/configmaps", withVersion);
        Assert.Equal(HttpStatusCode.InternalServerError, rvOnCreate.Status);
        Assert.Equal("resourceVersion should not be set on objects to be created", rvOnCreate.Str("message"));

        var dup = await Api.PostAsync($"/api/v1/namespaces/{ns}/configmaps", ConfigMap("c1"));
        Assert.Equal(HttpStatusCode.Conflict, dup.Status);
        Assert.Equal("AlreadyExists", dup.Str("reason"));
        Assert.Equal("configmaps \"c1\" already exists", dup.Str("message"));

        var putCollection = await Api.PutAsync($"/api/v1/namespaces/{ns}/configmaps", ConfigMap("c9"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, putCollection.Status);
        Assert.Equal("the server does not allow this method on the requested resource", putCollection.Str("message"));

        var missing = await Api.GetAsync($"/api/v1/namespaces/{ns}/configmaps/nope");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}""", missing.Text);
    }

    [Fact]
    public async Task Custom_resource_update_requires_resource_version()
    {
        var ns = await NamespaceAsync("api-cr-rv");
        var path = await DataMoversAsync(ns);
        var created = await Api.CreateOkAsync(path, ApiClient.Obj("""{"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"a"},"spec":{"sourcePvc":"data"}}"""));
        created["metadata"]!.AsObject().Remove("resourceVersion");
        var r = await Api.PutAsync($"{path}/a", created);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, r.Status);
        Assert.Contains("metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", r.Str("message"));
    }

    [Fact]
    public async Task Finalizers_hold_deletion_and_block_new_finalizers()
    {
        var ns = await NamespaceAsync("api-finalizers");
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var cm = ConfigMap("f1");
        cm["metadata"]!["finalizers"] = new JsonArray("example.com/a");
        await Api.CreateOkAsync(path, cm);

        var deleted = await Api.DeleteAsync($"{path}/f1");
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.NotNull(deleted.Json!["metadata"]!["deletionTimestamp"]);
        Assert.Equal("0", deleted.Str("metadata", "deletionGracePeriodSeconds"));
        Assert.Equal(HttpStatusCode.OK, (await Api.DeleteAsync($"{path}/f1")).Status);

        var add = await Api.PatchAsync($"{path}/f1", ApiClient.Obj("""{"metadata":{"finalizers":["example.com/a","example.com/b"]}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, add.Status);
        Assert.Contains("no new finalizers can be added if the object is being deleted", add.Str("message"));

        var release = await Api.PatchAsync($"{path}/f1", ApiClient.Obj("""{"metadata":{"finalizers":[]}}"""));
        Assert.Equal(HttpStatusCode.OK, release.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"{path}/f1")).Status);

        await Api.CreateOkAsync(path, ConfigMap("f2"));
        var foreground = await Api.DeleteAsync($"{path}/f2", ApiClient.Obj("""{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Foreground"}"""));
        Assert.Contains("foregroundDeletion", foreground.Json!["metadata"]!["finalizers"]!.ToJsonString());
        await Api.CreateOkAsync(path, ConfigMap("f3"));
        var orphan = await Api.DeleteAsync($"{path}/f3", ApiClient.Obj("""{"propagationPolicy":"Orphan"}"""));
        Assert.Contains("orphan", orphan.Json!["metadata"]!["finalizers"]!.ToJsonString());
    }

    [Fact]
    public async Task Delete_preconditions_and_dry_run()
    {
        var ns = await NamespaceAsync("api-preconditions");
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var created = await Api.CreateOkAsync(path, ConfigMap("p1"));
        var uid = created["metadata"]!["uid"]!.ToString();
        var wrong = await Api.DeleteAsync($"{path}/p1", ApiClient.Obj("""{"preconditions":{"uid":"not-the-uid"}}"""));
        Assert.Equal(HttpStatusCode.Conflict, wrong.Status);
        Assert.Equal($"Operation cannot be fulfilled on configmaps \"p1\": Precondition failed: UID in precondition: not-the-uid, UID in object meta: {uid}", wrong.Str("message"));

        var dry = await Api.DeleteAsync($"{path}/p1?dryRun=All");
        Assert.Equal(HttpStatusCode.OK, dry.Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"{path}/p1")).Status);

        var dryCreate = await Api.PostAsync($"{path}?dryRun=All", ConfigMap("p2"));
        Assert.Equal(HttpStatusCode.Created, dryCreate.Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"{path}/p2")).Status);

        var dryPatch = await Api.PatchAsync($"{path}/p1?dryRun=All", ApiClient.Obj("""{"data":{"k":"changed"}}"""));
        Assert.Equal("changed", dryPatch.Str("data", "k"));
        Assert.Equal("v", (await Api.GetAsync($"{path}/p1")).Str("data", "k"));

        var ok = await Api.DeleteAsync($"{path}/p1", new JsonObject { ["preconditions"] = new JsonObject { ["uid"] = uid } });
        Assert.Equal(HttpStatusCode.OK, ok.Status);
        Assert.Equal("Success", ok.Str("status"));
    }

    [Fact]
    public async Task Schema_validation_defaulting_and_pruning()
    {
        var ns = await NamespaceAsync("api-schema");
        var path = await DataMoversAsync(ns);
        var invalid = await Api.PostAsync(path, ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"bad"},
             "spec":{"mode":"Teleport","retries":11,"schedule":"whenever","destination":{"prefix":"x"}}}
            """));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, invalid.Status);
        Assert.Equal("Invalid", invalid.Str("reason"));
        var message = invalid.Str("message")!;
        Assert.StartsWith("DataMover.datamover.a-cup-of.coffee \"bad\" is invalid: [", message);
        Assert.Contains("spec.sourcePvc: Required value", message);
        Assert.Contains("spec.mode: Unsupported value: \"Teleport\": supported values: \"Snapshot\", \"Clone\"", message);
        Assert.Contains("spec.retries: Invalid value: 11: spec.retries in body should be less than or equal to 10", message);
        Assert.Contains("spec.schedule in body should match", message);
        Assert.Contains("destination.bucket is required when destination is set", message);
        var causes = invalid.Json!["details"]!["causes"]!.AsArray();
        Assert.Contains(causes, c => c!["field"]!.ToString() == "spec.sourcePvc" && c["reason"]!.ToString() == "FieldValueRequired");

        var typeError = await Api.PostAsync(path, ApiClient.Obj("""{"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"t"},"spec":{"sourcePvc":"d","retries":"three"}}"""));
        Assert.Contains("spec.retries: Invalid value: \"string\": spec.retries in body must be of type integer: \"string\"", typeError.Str("message"));

        var created = await Api.PostAsync(path, ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"good"},
             "spec":{"sourcePvc":"data","unknownField":1,"extra":{"anything":{"goes":true}}}}
            """));
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal("Snapshot", created.Str("spec", "mode"));
        Assert.Equal("3", created.Str("spec", "retries"));
        Assert.Null(created.Json!["spec"]!["unknownField"]);
        Assert.Equal("true", created.Json!["spec"]!["extra"]!["anything"]!["goes"]!.ToString());
        Assert.Contains(created.Warnings, w => w.Contains("unknown field \\\"spec.unknownField\\\"", StringComparison.Ordinal));

        var strict = await Api.PostAsync($"{path}?fieldValidation=Strict", ApiClient.Obj("""{"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"strict"},"spec":{"sourcePvc":"d","bogus":1}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, strict.Status);
        Assert.Contains("strict decoding error: unknown field \"spec.bogus\"", strict.Str("message"));

        var immutable = await Api.PatchAsync($"{path}/good", ApiClient.Obj("""{"spec":{"sourcePvc":"other"}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, immutable.Status);
        Assert.Equal("DataMover.datamover.a-cup-of.coffee \"good\" is invalid: spec.sourcePvc: Invalid value: \"string\": sourcePvc is immutable", immutable.Str("message"));
    }

    [Fact]
    public async Task Status_subresource_and_generation_rules()
    {
        var ns = await NamespaceAsync("api-status");
        var path = await DataMoversAsync(ns);
        var created = await Api.CreateOkAsync(path, ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"s"},"spec":{"sourcePvc":"data"},"status":{"phase":"Ignored"}}
            """));
        Assert.Null(created["status"]);
        Assert.Equal("1", created["metadata"]!["generation"]!.ToString());

        var status = await Api.PatchAsync($"{path}/s/status", ApiClient.Obj("""{"status":{"phase":"Running"},"spec":{"retries":9},"metadata":{"labels":{"x":"y"}}}"""));
        Assert.Equal(HttpStatusCode.OK, status.Status);
        Assert.Equal("Running", status.Str("status", "phase"));
        Assert.Equal("3", status.Str("spec", "retries"));
        Assert.Null(status.Json!["metadata"]!["labels"]);
        Assert.Equal("1", status.Str("metadata", "generation"));

        var main = await Api.PatchAsync($"{path}/s", ApiClient.Obj("""{"status":{"phase":"Hacked"},"metadata":{"labels":{"a":"b"}}}"""));
        Assert.Equal("Running", main.Str("status", "phase"));
        Assert.Equal("b", main.Str("metadata", "labels", "a"));
        Assert.Equal("1", main.Str("metadata", "generation"));

        var spec = await Api.PatchAsync($"{path}/s", ApiClient.Obj("""{"spec":{"retries":5}}"""));
        Assert.Equal("2", spec.Str("metadata", "generation"));

        var statusInvalid = await Api.PatchAsync($"{path}/s/status", ApiClient.Obj("""{"status":{"conditions":[{"type":"Ready"}]}}"""));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, statusInvalid.Status);
        Assert.Contains("status.conditions[0].status: Required value", statusInvalid.Str("message"));
    }

    [Fact]
    public async Task Pagination_is_consistent_across_pages()
    {
        var ns = await NamespaceAsync("api-paging");
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        for (var i = 0; i < 25; i++)
        {
            await Api.CreateOkAsync(path, ConfigMap($"page-{i:D2}"));
        }

        var first = await Api.GetAsync($"{path}?limit=10");
        Assert.Equal(10, first.Json!["items"]!.AsArray().Count);
        var rv = first.Str("metadata", "resourceVersion");
        // Every namespace also holds kube-root-ca.crt, sorted first, as on a real cluster.
        Assert.Equal("16", first.Str("metadata", "remainingItemCount"));
        var token = first.Str("metadata", "continue")!;

        // Changes after the first page must not show up in later pages of the same list.
        await Api.CreateOkAsync(path, ConfigMap("page-99"));
        Assert.Equal(HttpStatusCode.OK, (await Api.DeleteAsync($"{path}/page-24")).Status);

        var names = first.Json!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()).ToList();
        while (token.Length > 0)
        {
            var page = await Api.GetAsync($"{path}?limit=10&continue={Uri.EscapeDataString(token)}");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            Assert.Equal(rv, page.Str("metadata", "resourceVersion"));
            names.AddRange(page.Json!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));
            token = page.Str("metadata", "continue") ?? "";
        }

        Assert.Equal(["kube-root-ca.crt", .. Enumerable.Range(0, 25).Select(i => $"page-{i:D2}")], names);
        Assert.Null(first.Json!["items"]![0]!["kind"]);
    }

    [Fact]
    public async Task Label_and_field_selectors()
    {
        var ns = await NamespaceAsync("api-selectors");
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        await Api.CreateOkAsync(path, ConfigMap("a", """{"env":"prod","tier":"web"}"""));
        await Api.CreateOkAsync(path, ConfigMap("b", """{"env":"dev","tier":"db"}"""));
        await Api.CreateOkAsync(path, ConfigMap("c", """{"env":"test"}"""));

        async Task<string> Names(string query)
        {
            var r = await Api.GetAsync($"{path}?{query}");
            Assert.True(r.Status == HttpStatusCode.OK, r.Text);
            return string.Join(",", r.Json!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));
        }

        Assert.Equal("a,b", await Names("labelSelector=" + Uri.EscapeDataString("env in (prod,dev)")));
        // kube-root-ca.crt (in every namespace) has no labels.
        Assert.Equal("c,kube-root-ca.crt", await Names("labelSelector=" + Uri.EscapeDataString("env notin (prod,dev)")));
        Assert.Equal("c,kube-root-ca.crt", await Names("labelSelector=" + Uri.EscapeDataString("!tier")));
        Assert.Equal("a,b", await Names("labelSelector=tier"));
        Assert.Equal("b", await Names("labelSelector=" + Uri.EscapeDataString("env!=prod,tier")));
        Assert.Equal("a", await Names("labelSelector=" + Uri.EscapeDataString("env==prod")));
        Assert.Equal("b", await Names("fieldSelector=metadata.name%3Db"));
        Assert.Equal("a,c,kube-root-ca.crt", await Names("fieldSelector=metadata.name!%3Db"));

        var bad = await Api.GetAsync($"{path}?fieldSelector=spec.nodeName%3Dx");
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.Equal("field label not supported: spec.nodeName", bad.Str("message"));

        var pods = await Api.GetAsync($"/api/v1/namespaces/{ns}/pods?fieldSelector=spec.nodeName%3Dnode-1,status.phase%3DRunning");
        Assert.Equal(HttpStatusCode.OK, pods.Status);
    }

    [Fact]
    public async Task Namespace_must_exist_and_not_be_terminating()
    {
        var missing = await Api.PostAsync("/api/v1/namespaces/ghost/configmaps", ConfigMap("x"));
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("namespaces \"ghost\" not found", missing.Str("message"));

        var ns = await NamespaceAsync("api-terminating");
        var deleting = await Api.DeleteAsync($"/api/v1/namespaces/{ns}");
        Assert.Equal(HttpStatusCode.OK, deleting.Status);
        Assert.Equal("Terminating", deleting.Str("status", "phase"));
        var forbidden = await Api.PostAsync($"/api/v1/namespaces/{ns}/configmaps", ConfigMap("x"));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Status);
        Assert.Equal($"configmaps \"x\" is forbidden: unable to create new content in namespace {ns} because it is being terminated", forbidden.Str("message"));

        var finalize = (await Api.GetAsync($"/api/v1/namespaces/{ns}")).Object;
        finalize["spec"]!["finalizers"] = new JsonArray();
        Assert.Equal(HttpStatusCode.OK, (await Api.PutAsync($"/api/v1/namespaces/{ns}/finalize", finalize)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"/api/v1/namespaces/{ns}")).Status);

        var system = await Api.DeleteAsync("/api/v1/namespaces/default");
        Assert.Equal(HttpStatusCode.Forbidden, system.Status);
    }

    [Fact]
    public async Task Builtin_defaults_and_validation()
    {
        var ns = await NamespaceAsync("api-defaults");
        var pod = await Api.CreateOkAsync($"/api/v1/namespaces/{ns}/pods", ApiClient.Obj("""{"metadata":{"generateName":"web-"},"spec":{"containers":[{"name":"c","image":"nginx"}]}}"""));
        Assert.Matches("^web-[a-z0-9]{5}$", pod["metadata"]!["name"]!.ToString());
        Assert.Equal("Always", pod["spec"]!["restartPolicy"]!.ToString());
        Assert.Equal("ClusterFirst", pod["spec"]!["dnsPolicy"]!.ToString());
        Assert.Equal("default-scheduler", pod["spec"]!["schedulerName"]!.ToString());
        Assert.Equal("default", pod["spec"]!["serviceAccountName"]!.ToString());
        Assert.Equal("Always", pod["spec"]!["containers"]![0]!["imagePullPolicy"]!.ToString());
        Assert.Equal("/dev/termination-log", pod["spec"]!["containers"]![0]!["terminationMessagePath"]!.ToString());
        Assert.Equal("Pending", pod["status"]!["phase"]!.ToString());

        var job = await Api.CreateOkAsync($"/apis/batch/v1/namespaces/{ns}/jobs", ApiClient.Obj("""{"metadata":{"name":"copy"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox:1.36"}]}}}}"""));
        var uid = job["metadata"]!["uid"]!.ToString();
        Assert.Equal("6", job["spec"]!["backoffLimit"]!.ToString());
        Assert.Equal("1", job["spec"]!["completions"]!.ToString());
        Assert.Equal("NonIndexed", job["spec"]!["completionMode"]!.ToString());
        Assert.Equal(uid, job["spec"]!["selector"]!["matchLabels"]!["batch.kubernetes.io/controller-uid"]!.ToString());
        Assert.Equal("copy", job["spec"]!["template"]!["metadata"]!["labels"]!["job-name"]!.ToString());
        Assert.Equal("IfNotPresent", job["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]!.ToString());

        var longName = new string('j', 64);
        var tooLong = await Api.PostAsync($"/apis/batch/v1/namespaces/{ns}/jobs", ApiClient.Obj("""{"metadata":{"name":"NAME"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}""".Replace("NAME", longName, StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooLong.Status);
        Assert.Contains("must be no more than 63 characters", tooLong.Str("message"));

        var template = await Api.PatchAsync($"/apis/batch/v1/namespaces/{ns}/jobs/copy", ApiClient.Obj("""{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"busybox:2"}]}}}}"""), "application/strategic-merge-patch+json");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, template.Status);
        Assert.Contains("spec.template: Invalid value", template.Str("message"));

        var pvc = await Api.CreateOkAsync($"/api/v1/namespaces/{ns}/persistentvolumeclaims", ApiClient.Obj("""{"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}"""));
        Assert.Equal("Filesystem", pvc["spec"]!["volumeMode"]!.ToString());
        var pvcChange = await Api.PatchAsync($"/api/v1/namespaces/{ns}/persistentvolumeclaims/data", ApiClient.Obj("""{"spec":{"accessModes":["ReadWriteMany"]}}"""));
        Assert.Contains("spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims", pvcChange.Str("message"));

        var badName = await Api.PostAsync($"/api/v1/namespaces/{ns}/configmaps", ConfigMap("Bad_Name"));
        Assert.Contains("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters", badName.Str("message"));
        var badLabel = await Api.PostAsync($"/api/v1/namespaces/{ns}/configmaps", ConfigMap("ok", "{\"k\":\"" + new string('v', 64) + "\"}"));
        Assert.Contains("metadata.labels: Invalid value", badLabel.Str("message"));
    }

    [Fact]
    public async Task Pods_on_a_node_are_deleted_gracefully()
    {
        var ns = await NamespaceAsync("api-graceful");
        var path = $"/api/v1/namespaces/{ns}/pods";
        await Api.CreateOkAsync(path, ApiClient.Obj("""{"metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""));
        var bind = await Api.PostAsync($"{path}/p/binding", ApiClient.Obj("""{"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"kind":"Node","name":"node-1"}}"""));
        Assert.Equal(HttpStatusCode.Created, bind.Status);
        var deleting = await Api.DeleteAsync($"{path}/p");
        Assert.Equal("30", deleting.Str("metadata", "deletionGracePeriodSeconds"));
        Assert.Equal(HttpStatusCode.OK, (await Api.GetAsync($"{path}/p")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.DeleteAsync($"{path}/p", ApiClient.Obj("""{"gracePeriodSeconds":0}"""))).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"{path}/p")).Status);

        await Api.CreateOkAsync(path, ApiClient.Obj("""{"metadata":{"name":"unscheduled"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""));
        Assert.Equal(HttpStatusCode.OK, (await Api.DeleteAsync($"{path}/unscheduled")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync($"{path}/unscheduled")).Status);
    }

    [Fact]
    public async Task Deleting_a_crd_removes_its_objects()
    {
        var crd = (await File.ReadAllTextAsync(Kubectl.TestData("datamover-crd.yaml")))
            .Replace("datamovers", "throwaways", StringComparison.Ordinal).Replace("DataMover", "Throwaway", StringComparison.Ordinal)
            .Replace("datamover\n", "throwaway\n", StringComparison.Ordinal).Replace("[dm]", "[tw]", StringComparison.Ordinal);
        var applied = await _fx.Kubectl.RunWithInputAsync(crd, "apply", "-f", "-");
        Assert.True(applied.ExitCode == 0, applied.Stderr);
        var ns = await NamespaceAsync("api-crd-delete");
        var path = $"/apis/datamover.a-cup-of.coffee/v1alpha1/namespaces/{ns}/throwaways";
        await Api.CreateOkAsync(path, ApiClient.Obj("""{"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"Throwaway","metadata":{"name":"t"},"spec":{"sourcePvc":"d"}}"""));
        Assert.Equal(HttpStatusCode.OK, (await Api.DeleteAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/throwaways.datamover.a-cup-of.coffee")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync(path)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/throwaways.datamover.a-cup-of.coffee")).Status);
    }

    [Fact]
    public async Task Tables_for_custom_resources_follow_printer_columns()
    {
        var ns = await NamespaceAsync("api-table");
        var path = await DataMoversAsync(ns);
        await Api.CreateOkAsync(path, ApiClient.Obj("""{"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"t"},"spec":{"sourcePvc":"data"}}"""));
        var table = await Api.GetAsync(path, "application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        Assert.Equal("Table", table.Str("kind"));
        var columns = table.Json!["columnDefinitions"]!.AsArray().Select(c => c!["name"]!.ToString()).ToList();
        Assert.Equal(["Name", "Phase", "Source", "Clone", "Destination", "Job", "Age"], columns);
        var cells = table.Json!["rows"]![0]!["cells"]!.AsArray();
        Assert.Equal("t", cells[0]!.ToString());
        Assert.Null(cells[1]);
        Assert.Equal("data", cells[2]!.ToString());
        Assert.Matches("^[0-9]+s$", cells[6]!.ToString());
    }

    [Fact]
    public async Task Requests_without_a_token_are_anonymous_and_a_wrong_token_is_unauthorized()
    {
        // --anonymous-auth=true: no credentials is system:anonymous, who may only read the public info.
        using var anonymous = new HttpClient(_fx.Cluster.Context.CreateHttpHandler()) { BaseAddress = _fx.Cluster.Url };
        var r = await anonymous.GetAsync("api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Forbidden, r.StatusCode);
        Assert.Contains("namespaces is forbidden: User \\\"system:anonymous\\\" cannot list resource \\\"namespaces\\\" in API group \\\"\\\" at the cluster scope", await r.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("healthz")).StatusCode);
        Assert.Contains("v1.32", await anonymous.GetStringAsync("version"));

        using var wrong = _fx.Cluster.Context.CreateHttpClient("not-a-token");
        var unauthorized = await wrong.GetAsync("api/v1/namespaces");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}""", await unauthorized.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrong.GetAsync("healthz")).StatusCode);
    }

    [Fact]
    public async Task Events_are_one_store_served_in_two_versions()
    {
        var ns = await NamespaceAsync("api-events");
        var modern = await Api.CreateOkAsync($"/apis/events.k8s.io/v1/namespaces/{ns}/events", ApiClient.Obj($$$"""
            {"metadata":{"name":"e1"},"eventTime":"2024-01-01T00:00:00.000000Z","reportingController":"datamover.a-cup-of.coffee/operator",
             "reportingInstance":"op-1","action":"Snapshot","reason":"SnapshotCreated","type":"Normal","note":"snapshot created",
             "regarding":{"kind":"DataMover","name":"x","namespace":"{{{ns}}}"}}
            """));
        Assert.Equal("snapshot created", modern["note"]!.ToString());
        var core = await Api.GetAsync($"/api/v1/namespaces/{ns}/events/e1");
        Assert.Equal("snapshot created", core.Str("message"));
        Assert.Equal("DataMover", core.Str("involvedObject", "kind"));
        Assert.Equal("datamover.a-cup-of.coffee/operator", core.Str("reportingComponent"));
        var selected = await Api.GetAsync($"/api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.name%3Dx,involvedObject.kind%3DDataMover,reason%3DSnapshotCreated");
        Assert.Single(selected.Json!["items"]!.AsArray());
        var modernList = await Api.GetAsync($"/apis/events.k8s.io/v1/namespaces/{ns}/events?fieldSelector=regarding.name%3Dx");
        Assert.Equal("x", modernList.Json!["items"]![0]!["regarding"]!["name"]!.ToString());
    }

    [Fact]
    public async Task Malformed_metadata_is_a_bad_request_and_deletecollection_honours_selectors()
    {
        var ns = await NamespaceAsync("api-malformed");
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var bad = await Api.PostAsync(path, ApiClient.Obj("""{"metadata":{"name":"m","labels":{"n":1}}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);

        await Api.CreateOkAsync(path, ConfigMap("keep", """{"role":"keep"}"""));
        await Api.CreateOkAsync(path, ConfigMap("drop-1", """{"role":"drop"}"""));
        await Api.CreateOkAsync(path, ConfigMap("drop-2", """{"role":"drop"}"""));
        var deleted = await Api.DeleteAsync($"{path}?labelSelector=role%3Ddrop");
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.Equal("ConfigMapList", deleted.Str("kind"));
        var left = await Api.GetAsync(path);
        Assert.Equal(["keep", "kube-root-ca.crt"], left.Json!["items"]!.AsArray().Select(i => i!["metadata"]!["name"]!.ToString()));
    }

    [Fact]
    public async Task Strategic_merge_patch_merges_by_key_and_honours_delete_directives()
    {
        var ns = await NamespaceAsync("api-smp");
        var path = $"/api/v1/namespaces/{ns}/pods";
        await Api.CreateOkAsync(path, ApiClient.Obj("""
            {"metadata":{"name":"p","finalizers":["a.example.com/x"]},"spec":{"containers":[
              {"name":"a","image":"busybox:1","env":[{"name":"X","value":"1"},{"name":"Y","value":"2"}]},
              {"name":"b","image":"busybox:1"}]}}
            """));
        var patched = await Api.PatchAsync($"{path}/p", ApiClient.Obj("""
            {"metadata":{"finalizers":["b.example.com/y"]},"spec":{"containers":[{"name":"b","image":"busybox:2"}]}}
            """), "application/strategic-merge-patch+json");
        Assert.Equal(HttpStatusCode.OK, patched.Status);
        var containers = patched.Json!["spec"]!["containers"]!.AsArray();
        Assert.Equal(["a", "b"], containers.Select(c => c!["name"]!.ToString()));
        Assert.Equal("busybox:2", containers[1]!["image"]!.ToString());
        Assert.Equal(2, containers[0]!["env"]!.AsArray().Count);
        Assert.Equal(2, patched.Json!["metadata"]!["finalizers"]!.AsArray().Count);

        var removeFinalizers = await Api.PatchAsync($"{path}/p", ApiClient.Obj("""{"metadata":{"$deleteFromPrimitiveList/finalizers":["a.example.com/x","b.example.com/y"]}}"""), "application/strategic-merge-patch+json");
        Assert.Null(removeFinalizers.Json!["metadata"]!["finalizers"]);

        var notAllowed = await Api.PatchAsync($"{path}/p", ApiClient.Obj("""{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}"""), "application/strategic-merge-patch+json");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notAllowed.Status);
        Assert.Contains("pod updates may not change fields other than", notAllowed.Str("message"));
    }

    [Fact]
    public async Task Non_structural_crds_are_rejected()
    {
        var crd = ApiClient.Obj("""
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"loose.example.com"},
             "spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"loose","kind":"Loose"},
               "versions":[{"name":"v1","served":true,"storage":true,
                 "additionalPrinterColumns":[{"name":"Bad","type":"color","jsonPath":".spec.x"}],
                 "schema":{"openAPIV3Schema":{"type":"object","properties":{"spec":{"properties":{"x":{"type":"string"}}},"list":{"type":"array"}}}}}]}}
            """);
        var r = await Api.PostAsync("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, r.Status);
        var message = r.Str("message")!;
        Assert.Contains("spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields", message);
        Assert.Contains("spec.versions[0].schema.openAPIV3Schema.properties[list].items: Required value", message);
        Assert.Contains("spec.versions[0].additionalPrinterColumns[0].type: Unsupported value: \"color\"", message);
    }

    [Fact]
    public async Task Server_side_apply_tracks_owners_removes_dropped_fields_and_reports_conflicts()
    {
        var ns = await NamespaceAsync("api-ssa");
        var path = await DataMoversAsync(ns);
        const string apply = "application/apply-patch+yaml";
        var first = await Api.PatchAsync($"{path}/s?fieldManager=alice", ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"s","labels":{"team":"a","tier":"1"}},
             "spec":{"sourcePvc":"data","destination":{"bucket":"b1"}}}
            """), apply);
        Assert.Equal(HttpStatusCode.Created, first.Status);
        Assert.Equal("alice", first.Json!["metadata"]!["managedFields"]![0]!["manager"]!.ToString());
        Assert.NotNull(first.Json!["metadata"]!["managedFields"]![0]!["fieldsV1"]!["f:spec"]!["f:sourcePvc"]);

        var second = await Api.PatchAsync($"{path}/s?fieldManager=alice", ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"s","labels":{"team":"a"}},
             "spec":{"sourcePvc":"data","destination":{"bucket":"b1"}}}
            """), apply);
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Null(second.Json!["metadata"]!["labels"]!["tier"]);

        var bob = await Api.PatchAsync($"{path}/s?fieldManager=bob", ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"s"},"spec":{"sourcePvc":"data","retries":5}}
            """), apply);
        Assert.Equal(HttpStatusCode.OK, bob.Status);
        Assert.Equal("5", bob.Str("spec", "retries"));

        var conflict = await Api.PatchAsync($"{path}/s?fieldManager=bob", ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"s"},"spec":{"sourcePvc":"data","destination":{"bucket":"b2"}}}
            """), apply);
        Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"alice\" using datamover.a-cup-of.coffee/v1alpha1: .spec.destination.bucket", conflict.Str("message"));

        var forced = await Api.PatchAsync($"{path}/s?fieldManager=bob&force=true", ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"s"},"spec":{"sourcePvc":"data","destination":{"bucket":"b2"}}}
            """), apply);
        Assert.Equal(HttpStatusCode.OK, forced.Status);
        Assert.Equal("b2", forced.Str("spec", "destination", "bucket"));
        // bob no longer applies retries and nobody else owns it: removed, then defaulted again.
        Assert.Equal("3", forced.Str("spec", "retries"));

        // A plain update takes the field over; re-applying the old value now conflicts with that updater.
        var carol = await Api.PatchAsync($"{path}/s?fieldManager=carol", ApiClient.Obj("""{"spec":{"destination":{"bucket":"b3"}}}"""));
        Assert.Equal(HttpStatusCode.OK, carol.Status);
        Assert.Contains(carol.Json!["metadata"]!["managedFields"]!.AsArray(), e => e!["manager"]!.ToString() == "carol" && e["operation"]!.ToString() == "Update");
        var againstUpdater = await Api.PatchAsync($"{path}/s?fieldManager=bob", ApiClient.Obj("""
            {"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"s"},"spec":{"sourcePvc":"data","destination":{"bucket":"b2"}}}
            """), apply);
        Assert.Equal(HttpStatusCode.Conflict, againstUpdater.Status);
        Assert.Contains("conflict with \"carol\"", againstUpdater.Str("message"));

        var missingManager = await Api.PatchAsync($"{path}/s", ApiClient.Obj("""{"apiVersion":"datamover.a-cup-of.coffee/v1alpha1","kind":"DataMover","metadata":{"name":"s"}}"""), apply);
        Assert.Equal(HttpStatusCode.BadRequest, missingManager.Status);
    }

    [Fact]
    public async Task Unknown_top_level_fields_of_builtins_are_dropped_or_rejected()
    {
        var ns = await NamespaceAsync("api-unknown");
        var path = $"/api/v1/namespaces/{ns}/configmaps";
        var warned = await Api.PostAsync(path, ApiClient.Obj("""{"metadata":{"name":"u","lables":{"a":"b"}},"datas":{"k":"v"}}"""));
        Assert.Equal(HttpStatusCode.Created, warned.Status);
        Assert.Null(warned.Json!["datas"]);
        Assert.Null(warned.Json!["metadata"]!["lables"]);
        Assert.Contains(warned.Warnings, w => w.Contains("unknown field \\\"datas\\\"", StringComparison.Ordinal));

        var strict = await Api.PostAsync($"{path}?fieldValidation=Strict", ApiClient.Obj("""{"metadata":{"name":"s"},"datas":{"k":"v"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, strict.Status);
        Assert.Equal("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict decoding error: unknown field \"datas\"", strict.Str("message"));

        var job = await Api.PostAsync($"/apis/batch/v1/namespaces/{ns}/jobs", ApiClient.Obj("""
            {"metadata":{"name":"cased"},"spec":{"template":{"spec":{"RestartPolicy":"Never","containers":[{"name":"c","image":"busybox","imagee":"x"}]}}}}
            """));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, job.Status);
        Assert.Contains("spec.template.spec.restartPolicy: Required value", job.Str("message"));
        Assert.Contains(job.Warnings, w => w.Contains("spec.template.spec.RestartPolicy", StringComparison.Ordinal));
        Assert.Contains(job.Warnings, w => w.Contains("spec.template.spec.containers[0].imagee", StringComparison.Ordinal));

        var kubectl = await _fx.Kubectl.RunWithInputAsync("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndatas:\n  k: v\n", "apply", "-n", ns, "-f", "-");
        Assert.NotEqual(0, kubectl.ExitCode);
        Assert.Contains("unknown field \"datas\"", kubectl.Stderr);
    }
}
