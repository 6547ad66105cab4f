using System.Net.Http.Json;
using System.Text.Json.Nodes;
using DataMover.Kube.Client;
using DataMover.Kube.Models;

namespace DataMover.Kube.Tests.Integration;

/// <summary>Every verb of the client against the sandbox API server over real HTTPS.</summary>
public sealed class ClientVerbTests(SandboxFixture sandbox) : IClassFixture<SandboxFixture>
{
    private ResourceClient<ConfigMap> ConfigMaps => sandbox.Client.Resource(KubeResources.ConfigMaps);

    private static ConfigMap Cm(string ns, string name, string value, IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        Metadata = new ObjectMeta { Name = name, Namespace = ns, Labels = labels },
        Data = new Dictionary<string, string> { ["v"] = value },
    };

    [Fact]
    public async Task Create_get_replace_and_a_stale_replace_gets_a_conflict()
    {
        var ns = await sandbox.NewNamespaceAsync();
        var created = await ConfigMaps.CreateAsync(Cm(ns, "a", "1"));
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));

        var fetched = await ConfigMaps.GetAsync(ns, "a");
        var replaced = await ConfigMaps.ReplaceAsync(fetched with { Data = new Dictionary<string, string> { ["v"] = "2" } });
        Assert.Equal("2", replaced.Data!["v"]);
        Assert.NotEqual(fetched.Metadata.ResourceVersion, replaced.Metadata.ResourceVersion);

        var stale = await Assert.ThrowsAsync<KubeApiException>(() =>
            ConfigMaps.ReplaceAsync(fetched with { Data = new Dictionary<string, string> { ["v"] = "3" } }));
        Assert.True(stale.IsConflict, stale.Message);
        Assert.Equal("2", (await ConfigMaps.GetAsync(ns, "a")).Data!["v"]);

        var again = await Assert.ThrowsAsync<KubeApiException>(() => ConfigMaps.CreateAsync(Cm(ns, "a", "x")));
        Assert.True(again.IsAlreadyExists, again.Message);
        Assert.Null(await ConfigMaps.TryGetAsync(ns, "missing"));
        var missing = await Assert.ThrowsAsync<KubeApiException>(() => ConfigMaps.GetAsync(ns, "missing"));
        Assert.True(missing.IsNotFound);
    }

    [Fact]
    public async Task A_merge_patch_to_status_changes_only_status()
    {
        var ns = await sandbox.NewNamespaceAsync();
        var pvcs = sandbox.Client.Resource(KubeResources.PersistentVolumeClaims);
        await pvcs.CreateAsync(new PersistentVolumeClaim
        {
            Metadata = new ObjectMeta { Name = "data", Namespace = ns },
            Spec = new PersistentVolumeClaimSpec
            {
                AccessModes = ["ReadWriteOnce"],
                StorageClassName = "manual",
                Resources = new ResourceRequirements { Requests = new Dictionary<string, string> { ["storage"] = "1Gi" } },
            },
        });

        var patched = await pvcs.PatchStatusAsync(ns, "data", KubePatch.Merge(
            """{"spec":{"storageClassName":"other"},"status":{"phase":"Lost"}}"""));

        Assert.Equal("Lost", patched.Status!.Phase);
        Assert.Equal("manual", patched.Spec!.StorageClassName);
        var fetched = await pvcs.GetAsync(ns, "data");
        Assert.Equal("Lost", fetched.Status!.Phase);
        Assert.Equal("manual", fetched.Spec!.StorageClassName);
    }

    [Fact]
    public async Task A_delete_with_a_uid_precondition_fails_on_a_recreated_object()
    {
        var ns = await sandbox.NewNamespaceAsync();
        var first = await ConfigMaps.CreateAsync(Cm(ns, "a", "1"));
        await ConfigMaps.DeleteAsync(ns, "a");
        var second = await ConfigMaps.CreateAsync(Cm(ns, "a", "2"));
        Assert.NotEqual(first.Metadata.Uid, second.Metadata.Uid);

        var e = await Assert.ThrowsAsync<KubeApiException>(() =>
            ConfigMaps.DeleteAsync(ns, "a", new DeleteOptions { Preconditions = new Preconditions { Uid = first.Metadata.Uid } }));
        Assert.True(e.IsConflict, e.Message);
        Assert.NotNull(await ConfigMaps.TryGetAsync(ns, "a"));

        await ConfigMaps.DeleteAsync(ns, "a", new DeleteOptions { Preconditions = new Preconditions { Uid = second.Metadata.Uid } });
        Assert.Null(await ConfigMaps.TryGetAsync(ns, "a"));
        var gone = await Assert.ThrowsAsync<KubeApiException>(() => ConfigMaps.DeleteAsync(ns, "a"));
        Assert.True(gone.IsNotFound);
    }

    [Fact]
    public async Task Fields_the_models_do_not_know_survive_a_read_modify_write()
    {
        var ns = await sandbox.NewNamespaceAsync();
        using var http = sandbox.Cluster.CreateHttpClient();
        // Written by "a newer client": fields our Pod model does not declare, at the top, in spec and in a container.
        var pod = JsonNode.Parse($$$"""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"{{{ns}}}"},
         "spec":{"hostname":"custom-host","containers":[{"name":"c","image":"busybox",
           "livenessProbe":{"exec":{"command":["true"]},"periodSeconds":7}}]}}
        """)!;
        (await http.PostAsJsonAsync($"/api/v1/namespaces/{ns}/pods", pod)).EnsureSuccessStatusCode();

        var pods = sandbox.Client.Resource(KubeResources.Pods);
        var read = await pods.GetAsync(ns, "p");
        var labels = new Dictionary<string, string> { ["touched"] = "yes" };
        await pods.ReplaceAsync(read with { Metadata = read.Metadata with { Labels = labels } });

        var raw = JsonNode.Parse(await http.GetStringAsync($"/api/v1/namespaces/{ns}/pods/p"))!;
        Assert.Equal("yes", (string?)raw["metadata"]!["labels"]!["touched"]);
        Assert.Equal("custom-host", (string?)raw["spec"]!["hostname"]);
        Assert.Equal(7, (int?)raw["spec"]!["containers"]![0]!["livenessProbe"]!["periodSeconds"]);
    }

    [Fact]
    public async Task List_pages_with_limit_and_continue_and_filters_by_labels_and_fields()
    {
        var ns = await sandbox.NewNamespaceAsync();
        for (var i = 0; i < 7; i++)
        {
            await ConfigMaps.CreateAsync(Cm(ns, $"cm-{i}", $"{i}", new Dictionary<string, string> { ["parity"] = i % 2 == 0 ? "even" : "odd" }));
        }

        var page = await ConfigMaps.ListAsync(ns, new ListOptions { Limit = 3 });
        Assert.Equal(3, page.Items.Count);
        Assert.False(string.IsNullOrEmpty(page.Metadata.Continue));
        var all = await ConfigMaps.ListAllAsync(ns, new ListOptions { Limit = 3 });

        // Every namespace also holds the kube-root-ca.crt ConfigMap, as on a real cluster.
        Assert.Equal(8, all.Items.Count);
        Assert.Contains(all.Items, c => c.Metadata.Name == "kube-root-ca.crt");
        Assert.Equal(8, all.Items.Select(c => c.Metadata.Name).Distinct().Count());

        var even = await ConfigMaps.ListAsync(ns, new ListOptions { LabelSelector = "parity=even" });
        Assert.Equal(4, even.Items.Count);
        var set = await ConfigMaps.ListAsync(ns, new ListOptions { LabelSelector = "parity in (odd),parity!=even" });
        Assert.Equal(3, set.Items.Count);
        var byName = await ConfigMaps.ListAsync(ns, new ListOptions { FieldSelector = "metadata.name=cm-5" });
        Assert.Equal("cm-5", Assert.Single(byName.Items).Metadata.Name);
    }

    [Fact]
    public async Task Json_patch_server_side_apply_dry_run_and_delete_collection()
    {
        var ns = await sandbox.NewNamespaceAsync();
        await ConfigMaps.CreateAsync(Cm(ns, "a", "1"));

        var jsonPatched = await ConfigMaps.PatchAsync(ns, "a", KubePatch.Json(JsonNode.Parse(
            """[{"op":"replace","path":"/data/v","value":"2"},{"op":"add","path":"/data/w","value":"x"}]""")!.AsArray()));
        Assert.Equal("2", jsonPatched.Data!["v"]);
        Assert.Equal("x", jsonPatched.Data["w"]);

        var applied = await ConfigMaps.PatchAsync(ns, "b", KubePatch.Apply(
            $"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  namespace: {ns}\ndata:\n  v: applied\n"),
            new PatchOptions { FieldManager = "tests", Force = true });
        Assert.Equal("applied", applied.Data!["v"]);

        var dry = await ConfigMaps.CreateAsync(Cm(ns, "dry", "1"), dryRun: true);
        Assert.Equal("dry", dry.Metadata.Name);
        Assert.Null(await ConfigMaps.TryGetAsync(ns, "dry"));

        await ConfigMaps.DeleteCollectionAsync(ns);
        Assert.Empty((await ConfigMaps.ListAsync(ns)).Items);
    }

    [Fact]
    public async Task A_watch_delivers_changes_after_a_version_and_an_expired_version_is_a_distinct_error()
    {
        var ns = await sandbox.NewNamespaceAsync();
        var created = await ConfigMaps.CreateAsync(Cm(ns, "a", "1"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var events = new List<WatchEvent<ConfigMap>>();
        var watch = Task.Run(async () =>
        {
            await foreach (var e in ConfigMaps.WatchAsync(ns, new WatchOptions { ResourceVersion = created.Metadata.ResourceVersion }, cts.Token))
            {
                events.Add(e);
                if (e.Type == WatchEventType.Deleted)
                {
                    return;
                }
            }
        });
        var updated = await ConfigMaps.ReplaceAsync(created with { Data = new Dictionary<string, string> { ["v"] = "2" } });
        await ConfigMaps.DeleteAsync(ns, "a");
        await watch;

        Assert.Equal([WatchEventType.Modified, WatchEventType.Deleted], events.Select(e => e.Type).ToArray());
        Assert.Equal(updated.Metadata.ResourceVersion, events[0].Object.Metadata.ResourceVersion);

        // Push the history window (50 events in the fixture) past the first version.
        for (var i = 0; i < 60; i++)
        {
            await ConfigMaps.CreateAsync(Cm(ns, $"filler-{i}", "x"));
        }

        await Assert.ThrowsAsync<WatchExpiredException>(async () =>
        {
            await foreach (var _ in ConfigMaps.WatchAsync(ns, new WatchOptions { ResourceVersion = created.Metadata.ResourceVersion }, cts.Token))
            {
            }
        });
    }
}
