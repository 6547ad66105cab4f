using System.Text.Json.Nodes;
using DataMover.Kube.Models;
using DataMover.Operator.Api;
using DataMover.Operator.Tests.Support;
using DataMover.Sandbox.ApiServer.Patching;

namespace DataMover.Operator.Tests.Cluster;

/// <summary>
/// deploy/rbac is exact: the operator, running under its own ServiceAccount, exercises every verb of every rule of
/// its ClusterRole in one backup-schedule-cleanup-prune-restore flow, and is never refused. So removing any rule
/// turns some request of that flow into a 403; and a rule nothing uses cannot sneak in. Paths taken only after a
/// failure are provoked: a conflicting Job delete (read back with get), a mover ServiceAccount created by someone else
/// (adopted with patch).
/// </summary>
[Collection(FakeClockClusterCollection.Name)]
public sealed class OperatorRbacTests(FakeClockClusterFixture fixture) : ClusterTestBase(fixture)
{
    [Fact]
    public async Task Every_verb_the_ClusterRole_grants_is_used_by_a_schedule_run_cleanup_pruning_and_restore_and_none_is_refused()
    {
        var ns = await Fixture.NewNamespaceAsync();
        await SourceAsync(ns, "data");
        await SecretAsync(ns, "storage-credentials");
        await Client.Resource(Security.MoverServiceAccounts.Resource).CreateAsync(new Security.ServiceAccount { Metadata = new ObjectMeta { Name = Security.MoverServiceAccounts.Name, Namespace = ns } });
        Fixture.Cluster.Faults.Add(409, 1.0, "delete/jobs");
        var conflictSeen = Task.Run(async () =>
        {
            await EventuallyAsync(async () =>
            {
                await Task.Yield();
                return Fixture.Cluster.AuthorizationsOf(OperatorIdentity.User).Any(d => d is { Verb: "get", Resource: "jobs" });
            }, "the operator reads back a Job whose delete conflicted");
            Fixture.Cluster.Faults.Clear();
            // The operator's retry backoff runs on its (manual) clock.
            fixture.Clock.Advance(TimeSpan.FromSeconds(5));
        });
        try
        {
            var runs = new ScheduledRuns(fixture, ns);
            await runs.ApplyAsync("""
                apiVersion: datamover.a-cup-of.coffee/v1alpha1
                kind: DataMoverSchedule
                metadata:
                  name: every-minute
                spec:
                  schedule: "* * * * *"
                  sourcePvc: data
                  secretName: storage-credentials
                  addTimestampPrefix: true
                  deletePvcAfterBackup: true
                  successfulJobsHistoryLimit: 1
                  startingDeadlineSeconds: 300
                """);
            var first = await runs.NextRunCompletesAsync(previous: null);
            await conflictSeen;
            var second = await runs.NextRunCompletesAsync(previous: first);
            await EventuallyAsync(async () => (await runs.ListAsync()).Count == 1, "history limit of 1 prunes the first run");

            await Client.Resource(DataMoverResources.Restores).CreateAsync(new DataMoverRestore
            {
                Metadata = new ObjectMeta { Name = "restore", Namespace = ns },
                Spec = new DataMoverRestoreSpec
                {
                    Source = new DataMoverRestoreSource { FromDataMover = second },
                    Target = new DataMoverRestoreTarget { Pvc = new DataMoverRestorePvc { Name = "restored" } },
                },
            });
            await EventuallyAsync(async () => (await Client.Resource(DataMoverResources.Restores).GetAsync(ns, "restore")).Status?.Phase == "Completed", "the restore completes");
        }
        catch (Exception e) when (Refused() is { Length: > 0 } refused)
        {
            // A missing rule shows as the operator's 403s, whatever the step that then timed out.
            throw new Xunit.Sdk.XunitException($"{e.Message}\nrefused to the operator (403): {refused}");
        }
        finally
        {
            Fixture.Cluster.Faults.Clear();
        }

        var decisions = Fixture.Cluster.AuthorizationsOf(OperatorIdentity.User);
        Assert.DoesNotContain(decisions, d => !d.Allowed);
        var used = decisions.Select(d => (d.ApiGroup, d.Resource, d.Verb)).ToHashSet();
        var unused = ShippedClusterRoleGrants().Where(g => !used.Contains(g) && !UsedOnlyElsewhere.Contains(g)).ToList();
        Assert.True(unused.Count == 0, "granted but never used by the operator: " + string.Join(", ", unused.Select(g => $"{g.Verb} {g.Resource}.{g.Group}")));
    }

    [Fact]
    public async Task Can_i_for_the_operator_lists_exactly_the_shipped_rules_and_no_secrets()
    {
        var ns = await Fixture.NewNamespaceAsync();
        var admin = Fixture.Cluster.KubeconfigPath;
        var (exit, _, _) = await Kubectl.TryRunAsync(admin, "auth", "can-i", "get", "secrets", "-n", ns, "--as", OperatorIdentity.User);
        Assert.Equal(1, exit);
        var (listExit, _, _) = await Kubectl.TryRunAsync(admin, "auth", "can-i", "list", "secrets", "--all-namespaces", "--as", OperatorIdentity.User);
        Assert.Equal(1, listExit);

        var table = await Kubectl.RunAsync(admin, "auth", "can-i", "--list", "-n", ns, "--as", OperatorIdentity.User);
        var listed = new HashSet<(string Group, string Resource, string Verb)>();
        foreach (var line in table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var resource = line.Split(' ', 2)[0];
            if (resource.Length == 0 || line.TrimStart().StartsWith('[') || resource.StartsWith("selfsubject", StringComparison.Ordinal))
            {
                continue; // non-resource URLs, and the reviews every authenticated user may create (system:basic-user)
            }

            // kubectl prints resource.group/subresource.
            var slash = resource.IndexOf('/', StringComparison.Ordinal);
            var subresource = slash < 0 ? "" : resource[slash..];
            var qualified = slash < 0 ? resource : resource[..slash];
            var dot = qualified.IndexOf('.', StringComparison.Ordinal);
            var (plural, group) = dot < 0 ? (qualified + subresource, "") : (qualified[..dot] + subresource, qualified[(dot + 1)..]);
            var verbs = line[(line.LastIndexOf('[') + 1)..line.LastIndexOf(']')].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            foreach (var verb in verbs)
            {
                listed.Add((group, plural, verb));
            }
        }

        var shipped = ShippedClusterRoleGrants().ToHashSet();
        Assert.True(listed.SetEquals(shipped), $"kubectl auth can-i --list:\n{table}\nshipped: {string.Join(", ", shipped.Order())}");
    }

    [Fact]
    public async Task Namespace_users_manage_datamovers_through_the_built_in_edit_and_view_roles()
    {
        var ns = await Fixture.NewNamespaceAsync();
        var admin = Fixture.Cluster.KubeconfigPath;
        await Kubectl.RunAsync(admin, "create", "rolebinding", "jane-edits", "--clusterrole=edit", "--user=jane", "-n", ns);
        await Kubectl.RunAsync(admin, "create", "rolebinding", "joe-views", "--clusterrole=view", "--user=joe", "-n", ns);

        async Task<bool> CanAsync(string user, string verb, string resource, string subresource = "") =>
            (await Kubectl.TryRunAsync(admin, ["auth", "can-i", verb, resource, "-n", ns, "--as", user, .. subresource.Length > 0 ? new[] { "--subresource", subresource } : []])).ExitCode == 0;

        foreach (var kind in new[] { "datamovers", "datamoverschedules", "datamoverrestores" })
        {
            Assert.True(await CanAsync("jane", "create", $"{kind}.datamover.a-cup-of.coffee"), $"edit may create {kind}");
            Assert.True(await CanAsync("jane", "delete", $"{kind}.datamover.a-cup-of.coffee"), $"edit may delete {kind}");
            Assert.True(await CanAsync("joe", "list", $"{kind}.datamover.a-cup-of.coffee"), $"view may list {kind}");
            Assert.False(await CanAsync("joe", "create", $"{kind}.datamover.a-cup-of.coffee"), $"view may not create {kind}");
        }

        // Status is the operator's: namespace users do not write it.
        Assert.False(await CanAsync("jane", "update", "datamovers.datamover.a-cup-of.coffee", "status"));
    }

    /// <summary>
    /// Grants this flow cannot provoke, with where they are used: the event recorder patches the count of an Event it
    /// sends again (client-go's correlator), which needs the same warning twice for one object
    /// (EventRecorderTests cover the patch). The VolumeSnapshot writes belong to copyMethod Snapshot, which this flow
    /// does not use (Snapshots/SnapshotBackupTests run it under the same ServiceAccount, refused nothing).
    /// </summary>
    private static readonly HashSet<(string Group, string Resource, string Verb)> UsedOnlyElsewhere =
    [
        ("", "events", "patch"),
        ("snapshot.storage.k8s.io", "volumesnapshots", "get"),
        ("snapshot.storage.k8s.io", "volumesnapshots", "create"),
        ("snapshot.storage.k8s.io", "volumesnapshots", "delete"),
    ];

    private string Refused() => string.Join(", ", Fixture.Cluster.AuthorizationsOf(OperatorIdentity.User).Where(d => !d.Allowed)
        .Select(d => $"{d.Verb} {d.Resource}{(d.ApiGroup.Length > 0 ? "." + d.ApiGroup : "")}{(d.Namespace.Length > 0 ? " in " + d.Namespace : "")}"));

    /// <summary>Every (group, resource, verb) the shipped ClusterRole grants.</summary>
    private static IEnumerable<(string Group, string Resource, string Verb)> ShippedClusterRoleGrants()
    {
        var role = YamlJson.Parse(File.ReadAllText(Sandbox.SandboxFixture.RepoFile("deploy/rbac/role.yaml")))!;
        foreach (var rule in role["rules"]!.AsArray().OfType<JsonObject>())
        {
            foreach (var group in Strings(rule["apiGroups"]))
            {
                foreach (var resource in Strings(rule["resources"]))
                {
                    foreach (var verb in Strings(rule["verbs"]))
                    {
                        yield return (group, resource, verb);
                    }
                }
            }
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) => node?.AsArray().Select(n => n!.GetValue<string>()) ?? [];
}
