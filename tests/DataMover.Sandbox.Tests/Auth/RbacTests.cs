using System.Net;
using System.Text.Json.Nodes;
using DataMover.Sandbox.Hosting;

namespace DataMover.Sandbox.Tests.Auth;

/// <summary>RBAC as kube-apiserver evaluates it, through ServiceAccount tokens from `kubectl create token`, the real kubectl and raw HTTP.</summary>
public sealed class RbacTests : IClassFixture<SandboxFixture>
{
    private readonly SandboxFixture _fx;

    public RbacTests(SandboxFixture fx) => _fx = fx;

    private async Task ApplyAsync(string yaml)
    {
        var result = await _fx.Kubectl.RunWithInputAsync(yaml, "apply", "-f", "-");
        Assert.True(result.ExitCode == 0, result.Stderr);
    }

    private static JsonObject Claim(string name) => ApiClient.Obj("""
        {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"@name@"},
         "spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}
        """.Replace("@name@", name));

    [Fact]
    public async Task A_service_account_without_bindings_gets_the_exact_Forbidden_status()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-deny");
        var r = await sa.Api.PostAsync("/api/v1/namespaces/rbac-deny/persistentvolumeclaims", Claim("data"));
        Assert.Equal(HttpStatusCode.Forbidden, r.Status);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"persistentvolumeclaims is forbidden: User \"system:serviceaccount:rbac-deny:sa\" cannot create resource \"persistentvolumeclaims\" in API group \"\" in the namespace \"rbac-deny\"","reason":"Forbidden","details":{"kind":"persistentvolumeclaims"},"code":403}""",
            r.Text);

        var named = await sa.Api.GetAsync("/apis/batch/v1/namespaces/rbac-deny/jobs/j1");
        Assert.Equal("""jobs.batch "j1" is forbidden: User "system:serviceaccount:rbac-deny:sa" cannot get resource "jobs" in API group "batch" in the namespace "rbac-deny" """.TrimEnd(), named.Str("message"));
        Assert.Equal("j1", named.Str("details", "name"));
        Assert.Equal("batch", named.Str("details", "group"));

        var cluster = await sa.Api.GetAsync("/api/v1/nodes");
        Assert.Equal("""nodes is forbidden: User "system:serviceaccount:rbac-deny:sa" cannot list resource "nodes" in API group "" at the cluster scope""", cluster.Str("message"));

        var kubectl = await sa.Kubectl.RunAsync("get", "pvc", "-n", "rbac-deny");
        Assert.Equal(1, kubectl.ExitCode);
        Assert.Equal("""Error from server (Forbidden): persistentvolumeclaims is forbidden: User "system:serviceaccount:rbac-deny:sa" cannot list resource "persistentvolumeclaims" in API group "" in the namespace "rbac-deny" """.TrimEnd(), kubectl.Stderr.Trim());

        // Discovery works for every authenticated user (system:discovery), so kubectl can map kinds.
        Assert.Contains("persistentvolumeclaims", await sa.Kubectl.OkAsync("api-resources", "-o", "name"));
        var whoami = await sa.Kubectl.OkAsync("auth", "whoami", "-o", "json");
        var info = JsonNode.Parse(whoami)!["status"]!["userInfo"]!;
        Assert.Equal("system:serviceaccount:rbac-deny:sa", info["username"]!.ToString());
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:rbac-deny", "system:authenticated"], info["groups"]!.AsArray().Select(g => g!.ToString()));
    }

    [Fact]
    public async Task A_role_and_binding_grant_exactly_their_verbs_in_their_namespace()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-role");
        await _fx.Kubectl.RunAsync("create", "namespace", "rbac-role-other");
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: claims, namespace: rbac-role}
            rules:
            - apiGroups: [""]
              resources: [persistentvolumeclaims]
              verbs: [create, get, list]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: claims, namespace: rbac-role}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: claims}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: rbac-role}
            """);
        Assert.Equal(HttpStatusCode.Created, (await sa.Api.PostAsync("/api/v1/namespaces/rbac-role/persistentvolumeclaims", Claim("data"))).Status);
        Assert.Contains("data", await sa.Kubectl.OkAsync("get", "pvc", "-n", "rbac-role", "-o", "name"));
        var other = await sa.Api.PostAsync("/api/v1/namespaces/rbac-role-other/persistentvolumeclaims", Claim("data"));
        Assert.Equal(HttpStatusCode.Forbidden, other.Status);

        // Watch is its own verb, for ?watch=true and /watch/ paths alike; so are delete and deletecollection.
        Assert.Equal(
            """persistentvolumeclaims is forbidden: User "system:serviceaccount:rbac-role:sa" cannot watch resource "persistentvolumeclaims" in API group "" in the namespace "rbac-role" """.TrimEnd(),
            (await sa.Api.GetAsync("/api/v1/namespaces/rbac-role/persistentvolumeclaims?watch=true")).Str("message"));
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.GetAsync("/api/v1/watch/namespaces/rbac-role/persistentvolumeclaims")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.DeleteAsync("/api/v1/namespaces/rbac-role/persistentvolumeclaims/data")).Status);
        Assert.Contains("cannot deletecollection resource", (await sa.Api.DeleteAsync("/api/v1/namespaces/rbac-role/persistentvolumeclaims")).Text);

        // Removing the binding takes the grant away at once.
        await _fx.Kubectl.OkAsync("delete", "rolebinding", "claims", "-n", "rbac-role");
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.GetAsync("/api/v1/namespaces/rbac-role/persistentvolumeclaims/data")).Status);
    }

    [Fact]
    public async Task A_cluster_role_bound_by_a_role_binding_applies_only_in_that_namespace()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-scope");
        await _fx.Kubectl.RunAsync("create", "namespace", "rbac-scope-other");
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: rbac-scope-pod-reader}
            rules:
            - apiGroups: [""]
              resources: [pods]
              verbs: [get, list, watch]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: readers, namespace: rbac-scope}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-scope-pod-reader}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: rbac-scope}
            """);
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.GetAsync("/api/v1/namespaces/rbac-scope/pods")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.GetAsync("/api/v1/namespaces/rbac-scope-other/pods")).Status);
        Assert.Equal(
            """pods is forbidden: User "system:serviceaccount:rbac-scope:sa" cannot list resource "pods" in API group "" at the cluster scope""",
            (await sa.Api.GetAsync("/api/v1/pods")).Str("message"));

        // A ClusterRoleBinding makes the same role cluster-wide; a binding to a missing role says so in the reason.
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: rbac-scope-missing}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-scope-does-not-exist}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: rbac-scope}
            """);
        Assert.Equal(
            """pods is forbidden: User "system:serviceaccount:rbac-scope:sa" cannot list resource "pods" in API group "" at the cluster scope: RBAC: clusterrole.rbac.authorization.k8s.io "rbac-scope-does-not-exist" not found""",
            (await sa.Api.GetAsync("/api/v1/pods")).Str("message"));
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: rbac-scope-readers}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-scope-pod-reader}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: rbac-scope}
            """);
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.GetAsync("/api/v1/pods")).Status);
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.GetAsync("/api/v1/namespaces/rbac-scope-other/pods")).Status);
    }

    [Fact]
    public async Task Resource_names_subresources_and_wildcards_match_like_the_rbac_authorizer()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-match");
        await _fx.Kubectl.OkAsync("create", "configmap", "allowed", "-n", "rbac-match", "--from-literal=k=v");
        await _fx.Kubectl.OkAsync("create", "configmap", "other", "-n", "rbac-match", "--from-literal=k=v");
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: match, namespace: rbac-match}
            rules:
            - apiGroups: [""]
              resources: [configmaps]
              resourceNames: [allowed]
              verbs: [get, list]
            - apiGroups: [""]
              resources: [persistentvolumeclaims/status]
              verbs: [get]
            - apiGroups: [""]
              resources: ["*/finalizers"]
              verbs: [update]
            - apiGroups: [batch]
              resources: ["*"]
              verbs: ["*"]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: match, namespace: rbac-match}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: match}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: rbac-match}
            """);
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.GetAsync("/api/v1/namespaces/rbac-match/configmaps/allowed")).Status);
        Assert.Equal(
            """configmaps "other" is forbidden: User "system:serviceaccount:rbac-match:sa" cannot get resource "configmaps" in API group "" in the namespace "rbac-match" """.TrimEnd(),
            (await sa.Api.GetAsync("/api/v1/namespaces/rbac-match/configmaps/other")).Str("message"));

        // A list is only allowed by name when narrowed to that name (RequestInfo reads metadata.name= from the field selector).
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.GetAsync("/api/v1/namespaces/rbac-match/configmaps")).Status);
        var narrowed = await sa.Api.GetAsync("/api/v1/namespaces/rbac-match/configmaps?fieldSelector=metadata.name%3Dallowed");
        Assert.Equal(HttpStatusCode.OK, narrowed.Status);
        Assert.Single(narrowed.Json!["items"]!.AsArray());

        // persistentvolumeclaims/status is not persistentvolumeclaims, and the other way round.
        await _fx.Api.PostAsync("/api/v1/namespaces/rbac-match/persistentvolumeclaims", Claim("data"));
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.GetAsync("/api/v1/namespaces/rbac-match/persistentvolumeclaims/data/status")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.GetAsync("/api/v1/namespaces/rbac-match/persistentvolumeclaims/data")).Status);
        Assert.Equal(
            """persistentvolumeclaims "data" is forbidden: User "system:serviceaccount:rbac-match:sa" cannot update resource "persistentvolumeclaims/status" in API group "" in the namespace "rbac-match" """.TrimEnd(),
            (await sa.Api.PutAsync("/api/v1/namespaces/rbac-match/persistentvolumeclaims/data/status", Claim("data"))).Str("message"));

        // Wildcard verbs and resources in one group; not in others.
        var job = ApiClient.Obj("""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"j"},
             "spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox:1.36"}]}}}}
            """);
        Assert.Equal(HttpStatusCode.Created, (await sa.Api.PostAsync("/apis/batch/v1/namespaces/rbac-match/jobs", job)).Status);
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.DeleteAsync("/apis/batch/v1/namespaces/rbac-match/jobs/j")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.GetAsync("/apis/coordination.k8s.io/v1/namespaces/rbac-match/leases")).Status);

        var can = await _fx.Kubectl.RunAsync("auth", "can-i", "update", "configmaps", "--subresource=finalizers", "--as=" + sa.UserName, "-n", "rbac-match");
        Assert.Equal("yes", can.Stdout.Trim());
        var cannot = await _fx.Kubectl.RunAsync("auth", "can-i", "update", "configmaps", "--as=" + sa.UserName, "-n", "rbac-match");
        Assert.Equal("no", cannot.Stdout.Trim());
    }

    [Fact]
    public async Task Non_resource_urls_are_authorized_by_path_with_trailing_wildcards()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-urls");
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.GetAsync("/apis")).Status);
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.GetAsync("/openapi/v3")).Status);
        var denied = await sa.Api.GetAsync("/logs/kube-apiserver.log");
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:serviceaccount:rbac-urls:sa\" cannot get path \"/logs/kube-apiserver.log\"","reason":"Forbidden","details":{},"code":403}""",
            denied.Text);
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata: {name: rbac-urls-logs}
            rules:
            - nonResourceURLs: ["/logs", "/logs/*"]
              verbs: [get]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRoleBinding
            metadata: {name: rbac-urls-logs}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: rbac-urls-logs}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: rbac-urls}
            """);

        // Authorized now: the sandbox serves no /logs, so the answer is the router's 404.
        Assert.Equal(HttpStatusCode.NotFound, (await sa.Api.GetAsync("/logs/kube-apiserver.log")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.GetAsync("/logsx")).Status);
    }

    [Fact]
    public async Task Aggregation_fills_edit_from_labelled_cluster_roles_and_follows_label_changes()
    {
        // kubectl resolves datamovers through discovery, so the CRD must be served.
        await _fx.Kubectl.OkAsync("apply", "-f", Kubectl.TestData("datamover-crd.yaml"));
        await _fx.Kubectl.OkAsync("wait", "--for=condition=Established", "crd/datamovers.datamover.a-cup-of.coffee", "--timeout=10s");
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: ClusterRole
            metadata:
              name: rbac-aggregate-datamovers
              labels: {rbac.authorization.k8s.io/aggregate-to-edit: "true"}
            rules:
            - apiGroups: [datamover.a-cup-of.coffee]
              resources: [datamovers]
              verbs: [create, delete, get, list, patch, update, watch]
            """);
        static bool HasRule(string json) => JsonNode.Parse(json)!["rules"]!.AsArray().Any(r => r!["resources"]!.AsArray().Any(x => x!.ToString() == "datamovers"));
        Assert.True(HasRule(await _fx.Kubectl.OkAsync("get", "clusterrole", "edit", "-o", "json")));
        Assert.True(HasRule(await _fx.Kubectl.OkAsync("get", "clusterrole", "admin", "-o", "json")), "edit aggregates into admin");
        Assert.False(HasRule(await _fx.Kubectl.OkAsync("get", "clusterrole", "view", "-o", "json")));

        // A binding to edit now grants the new rule; the base rules of edit are there too.
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-aggregate");
        await _fx.Kubectl.OkAsync("create", "rolebinding", "edit", "--clusterrole=edit", "--serviceaccount=rbac-aggregate:sa", "-n", "rbac-aggregate");
        Assert.Equal("yes", (await sa.Kubectl.RunAsync("auth", "can-i", "create", "datamovers.datamover.a-cup-of.coffee", "-n", "rbac-aggregate")).Stdout.Trim());
        Assert.Equal("yes", (await sa.Kubectl.RunAsync("auth", "can-i", "create", "pvc", "-n", "rbac-aggregate")).Stdout.Trim());
        Assert.Equal("no", (await sa.Kubectl.RunAsync("auth", "can-i", "create", "roles", "-n", "rbac-aggregate")).Stdout.Trim());

        await _fx.Kubectl.OkAsync("label", "clusterrole", "rbac-aggregate-datamovers", "rbac.authorization.k8s.io/aggregate-to-edit-");
        Assert.False(HasRule(await _fx.Kubectl.OkAsync("get", "clusterrole", "edit", "-o", "json")));
        Assert.Equal("no", (await sa.Kubectl.RunAsync("auth", "can-i", "create", "datamovers.datamover.a-cup-of.coffee", "-n", "rbac-aggregate")).Stdout.Trim());
    }

    [Fact]
    public async Task Can_i_answers_the_truth_for_impersonated_service_accounts()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-cani");
        var no = await _fx.Kubectl.RunAsync("auth", "can-i", "create", "pvc", "--as=" + sa.UserName, "-n", "rbac-cani");
        Assert.Equal(1, no.ExitCode);
        Assert.Equal("no", no.Stdout.Trim());
        await _fx.Kubectl.OkAsync("create", "role", "pvc-maker", "--verb=create,get", "--resource=persistentvolumeclaims", "-n", "rbac-cani");
        await _fx.Kubectl.OkAsync("create", "rolebinding", "pvc-maker", "--role=pvc-maker", "--serviceaccount=rbac-cani:sa", "-n", "rbac-cani");
        Assert.Equal("yes", (await _fx.Kubectl.OkAsync("auth", "can-i", "create", "pvc", "--as=" + sa.UserName, "-n", "rbac-cani")).Trim());
        Assert.Equal("no", (await _fx.Kubectl.RunAsync("auth", "can-i", "delete", "pvc", "--as=" + sa.UserName, "-n", "rbac-cani")).Stdout.Trim());
        Assert.Equal("no", (await _fx.Kubectl.RunAsync("auth", "can-i", "create", "pvc", "--as=" + sa.UserName, "-n", "default")).Stdout.Trim());

        var list = await _fx.Kubectl.OkAsync("auth", "can-i", "--list", "--as=" + sa.UserName, "-n", "rbac-cani");
        var pvcLine = list.Split('\n').Single(l => l.StartsWith("persistentvolumeclaims ", StringComparison.Ordinal));
        Assert.Contains("[create get]", pvcLine);
        Assert.Contains(list.Split('\n'), l => l.StartsWith("selfsubjectaccessreviews.authorization.k8s.io ", StringComparison.Ordinal));
        Assert.Contains(list.Split('\n'), l => l.Contains("[/api/*]", StringComparison.Ordinal));
        Assert.DoesNotContain("secrets", list);

        // The service account itself may not impersonate anyone. kubectl's discovery is impersonated too, and a 403
        // on discovery reaches the user as "Forbidden: unknown" (client-go cannot decode it there), as on real clusters.
        var impersonating = await sa.Kubectl.RunAsync("get", "pods", "-n", "rbac-cani", "--as=sandbox-admin");
        Assert.Equal(1, impersonating.ExitCode);
        Assert.Equal("Error from server (Forbidden): unknown", impersonating.Stderr.Trim().Split('\n')[^1]);
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/namespaces/rbac-cani/pods");
        request.Headers.Add("Impersonate-User", "sandbox-admin");
        using var refused = await sa.Api.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(
            """users "sandbox-admin" is forbidden: User "system:serviceaccount:rbac-cani:sa" cannot impersonate resource "users" in API group "" at the cluster scope""",
            JsonNode.Parse(await refused.Content.ReadAsStringAsync())!["message"]!.ToString());

        // SubjectAccessReview as the admin asks on anyone's behalf, with the allowing binding as reason.
        var review = await _fx.Api.PostAsync("/apis/authorization.k8s.io/v1/subjectaccessreviews", ApiClient.Obj("""
            {"apiVersion":"authorization.k8s.io/v1","kind":"SubjectAccessReview",
             "spec":{"user":"@sa_UserName@","groups":["system:serviceaccounts"],"resourceAttributes":{"namespace":"rbac-cani","verb":"get","resource":"persistentvolumeclaims"}}}
            """.Replace("@sa_UserName@", sa.UserName)));
        Assert.Equal(HttpStatusCode.Created, review.Status);
        Assert.Equal("true", review.Json!["status"]!["allowed"]!.ToString().ToLowerInvariant());
        Assert.Equal("""RBAC: allowed by RoleBinding "pvc-maker/rbac-cani" of Role "pvc-maker" to ServiceAccount "sa/rbac-cani" """.TrimEnd(), review.Str("status", "reason"));
    }

    [Fact]
    public async Task Owner_references_need_delete_and_block_owner_deletion_needs_update_on_the_owners_finalizers()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-owner");
        var parent = await _fx.Api.CreateOkAsync("/api/v1/namespaces/rbac-owner/configmaps", ApiClient.Obj("""{"metadata":{"name":"parent"}}"""));
        var uid = parent["metadata"]!["uid"]!.ToString();
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: cm, namespace: rbac-owner}
            rules:
            - apiGroups: [""]
              resources: [configmaps]
              verbs: [create, get, update]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: cm, namespace: rbac-owner}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: rbac-owner}
            """);
        JsonObject Child(string name, bool block) => ApiClient.Obj("""
            {"metadata":{"name":"@name@","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"parent","uid":"@uid@","controller":true,"blockOwnerDeletion":@block@}]}}
            """.Replace("@name@", name).Replace("@uid@", uid).Replace("@block@", block ? "true" : "false"));

        // Creating with a plain owner reference is allowed: the creator could have deleted it anyway.
        Assert.Equal(HttpStatusCode.Created, (await sa.Api.PostAsync("/api/v1/namespaces/rbac-owner/configmaps", Child("plain", block: false))).Status);
        var blocked = await sa.Api.PostAsync("/api/v1/namespaces/rbac-owner/configmaps", Child("blocking", block: true));
        Assert.Equal(HttpStatusCode.Forbidden, blocked.Status);
        Assert.Equal(
            """configmaps "blocking" is forbidden: cannot set blockOwnerDeletion if an ownerReference refers to a resource you can't set finalizers on: , <nil>""",
            blocked.Str("message"));

        // Changing owner references on an update needs delete on the object.
        var plain = (await sa.Api.GetAsync("/api/v1/namespaces/rbac-owner/configmaps/plain")).Object;
        plain["metadata"]!["ownerReferences"] = null;
        Assert.Equal(
            """configmaps "plain" is forbidden: cannot set an ownerRef on a resource you can't delete: , <nil>""",
            (await sa.Api.PutAsync("/api/v1/namespaces/rbac-owner/configmaps/plain", plain)).Str("message"));

        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: cm, namespace: rbac-owner}
            rules:
            - apiGroups: [""]
              resources: [configmaps]
              verbs: [create, get, update, delete]
            - apiGroups: [""]
              resources: [configmaps/finalizers]
              resourceNames: [parent]
              verbs: [update]
            """);
        Assert.Equal(HttpStatusCode.Created, (await sa.Api.PostAsync("/api/v1/namespaces/rbac-owner/configmaps", Child("blocking", block: true))).Status);
        Assert.Equal(HttpStatusCode.OK, (await sa.Api.PutAsync("/api/v1/namespaces/rbac-owner/configmaps/plain", plain)).Status);
    }

    [Fact]
    public async Task The_operators_shipped_rbac_grants_its_service_account_what_it_lists_and_nothing_more()
    {
        // What the operator's tests do: apply deploy/rbac as the admin, run under `kubectl create token`.
        var rbac = Path.Combine(Sandbox.Node.ImageTable.FindRepoRoot(AppContext.BaseDirectory)!, "deploy", "rbac");
        await _fx.Kubectl.RunAsync("create", "namespace", "datamover-operator-system");
        await _fx.Kubectl.OkAsync("apply", "-f", Path.Combine(rbac, "service_account.yaml"), "-f", Path.Combine(rbac, "role.yaml"), "-f", Path.Combine(rbac, "role_binding.yaml"));
        var token = (await _fx.Kubectl.OkAsync("create", "token", "datamover-operator-controller-manager", "-n", "datamover-operator-system")).Trim();
        var kubeconfig = Path.Combine(_fx.Cluster.DataDir, "operator.kubeconfig");
        _fx.Cluster.WriteKubeconfig(kubeconfig, token);
        var operatorKubectl = new Kubectl(kubeconfig, Path.Combine(_fx.Cluster.DataDir, "operator-home"));

        Assert.Equal("yes", (await operatorKubectl.RunAsync("auth", "can-i", "create", "persistentvolumeclaims", "-n", "any")).Stdout.Trim());
        Assert.Equal("yes", (await operatorKubectl.RunAsync("auth", "can-i", "watch", "jobs.batch", "--all-namespaces")).Stdout.Trim());
        Assert.Equal("no", (await operatorKubectl.RunAsync("auth", "can-i", "get", "secrets", "-n", "any")).Stdout.Trim());
        Assert.Equal("no", (await operatorKubectl.RunAsync("auth", "can-i", "update", "persistentvolumeclaims", "-n", "any")).Stdout.Trim());
        var secrets = await operatorKubectl.RunAsync("get", "secrets", "-n", "default");
        Assert.Equal(
            """Error from server (Forbidden): secrets is forbidden: User "system:serviceaccount:datamover-operator-system:datamover-operator-controller-manager" cannot list resource "secrets" in API group "" in the namespace "default" """.TrimEnd(),
            secrets.Stderr.Trim());
    }

    [Fact]
    public async Task Owner_reference_enforcement_can_be_turned_off()
    {
        await using var cluster = await SandboxCluster.StartAsync(new SandboxOptions { OwnerReferencesPermissionEnforcement = false });
        using var admin = new ApiClient(cluster.CreateHttpClient());
        await admin.CreateOkAsync("/api/v1/namespaces", ApiClient.Obj("""{"metadata":{"name":"off"}}"""));
        await admin.CreateOkAsync("/api/v1/namespaces/off/serviceaccounts", ApiClient.Obj("""{"metadata":{"name":"sa"}}"""));
        await admin.CreateOkAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/off/roles", ApiClient.Obj("""
            {"metadata":{"name":"cm"},"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["create"]}]}
            """));
        await admin.CreateOkAsync("/apis/rbac.authorization.k8s.io/v1/namespaces/off/rolebindings", ApiClient.Obj("""
            {"metadata":{"name":"cm"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"cm"},"subjects":[{"kind":"ServiceAccount","name":"sa","namespace":"off"}]}
            """));
        var parent = await admin.CreateOkAsync("/api/v1/namespaces/off/configmaps", ApiClient.Obj("""{"metadata":{"name":"parent"}}"""));
        using var sa = new ApiClient(cluster.Context.CreateHttpClient(await cluster.CreateServiceAccountTokenAsync("off", "sa")));
        var child = ApiClient.Obj("""
            {"metadata":{"name":"child","ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"parent","uid":"@uid@","blockOwnerDeletion":true}]}}
            """.Replace("@uid@", parent["metadata"]!["uid"]!.ToString()));
        Assert.Equal(HttpStatusCode.Created, (await sa.PostAsync("/api/v1/namespaces/off/configmaps", child)).Status);
    }

    [Fact]
    public async Task Roles_and_bindings_cannot_grant_more_than_their_author_holds_without_escalate_or_bind()
    {
        using var sa = await ServiceAccountUser.CreateAsync(_fx, "rbac-escalate");
        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: rbac-manager, namespace: rbac-escalate}
            rules:
            - apiGroups: [rbac.authorization.k8s.io]
              resources: [roles, rolebindings]
              verbs: [create, get, update]
            - apiGroups: [""]
              resources: [configmaps]
              verbs: [get]
            ---
            apiVersion: rbac.authorization.k8s.io/v1
            kind: RoleBinding
            metadata: {name: rbac-manager, namespace: rbac-escalate}
            roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: rbac-manager}
            subjects:
            - {kind: ServiceAccount, name: sa, namespace: rbac-escalate}
            """);
        JsonObject Role(string name, string verbs) => ApiClient.Obj($$"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"{{name}}"},
             "rules":[{"apiGroups":[""],"resources":["configmaps","secrets"],"verbs":{{verbs}}}]}
            """);
        const string Roles = "/apis/rbac.authorization.k8s.io/v1/namespaces/rbac-escalate/roles";
        Assert.Equal(HttpStatusCode.Created, (await sa.Api.PostAsync(Roles, ApiClient.Obj("""
            {"metadata":{"name":"held"},"rules":[{"apiGroups":[""],"resources":["configmaps"],"verbs":["get"]}]}
            """))).Status);
        var denied = await sa.Api.PostAsync(Roles, Role("more", """["get","list"]"""));
        Assert.Equal(HttpStatusCode.Forbidden, denied.Status);
        Assert.Equal(
            "roles.rbac.authorization.k8s.io \"more\" is forbidden: user \"system:serviceaccount:rbac-escalate:sa\" (groups=[\"system:serviceaccounts\" \"system:serviceaccounts:rbac-escalate\" \"system:authenticated\"]) is attempting to grant RBAC permissions not currently held:\n"
            + "{APIGroups:[\"\"], Resources:[\"configmaps\"], Verbs:[\"list\"]}\n{APIGroups:[\"\"], Resources:[\"secrets\"], Verbs:[\"get\" \"list\"]}",
            denied.Str("message"));

        // A binding to a role with more than the author holds is refused the same way; bind on that role allows it.
        JsonObject Binding(string name, string kind, string role) => ApiClient.Obj($$"""
            {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"{{name}}"},
             "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"{{kind}}","name":"{{role}}"},
             "subjects":[{"kind":"ServiceAccount","name":"default","namespace":"rbac-escalate"}]}
            """);
        const string Bindings = "/apis/rbac.authorization.k8s.io/v1/namespaces/rbac-escalate/rolebindings";
        Assert.Equal(HttpStatusCode.Created, (await sa.Api.PostAsync(Bindings, Binding("held", "Role", "held"))).Status);
        var bindDenied = await sa.Api.PostAsync(Bindings, Binding("view", "ClusterRole", "view"));
        Assert.Equal(HttpStatusCode.Forbidden, bindDenied.Status);
        Assert.StartsWith("rolebindings.rbac.authorization.k8s.io \"view\" is forbidden: user \"system:serviceaccount:rbac-escalate:sa\" (groups=", bindDenied.Str("message"));
        Assert.Equal(HttpStatusCode.NotFound, (await sa.Api.PostAsync(Bindings, Binding("ghost", "ClusterRole", "rbac-escalate-ghost"))).Status);

        await ApplyAsync("""
            apiVersion: rbac.authorization.k8s.io/v1
            kind: Role
            metadata: {name: rbac-manager, namespace: rbac-escalate}
            rules:
            - apiGroups: [rbac.authorization.k8s.io]
              resources: [roles, rolebindings]
              verbs: [create, get, update]
            - apiGroups: [""]
              resources: [configmaps]
              verbs: [get]
            - apiGroups: [rbac.authorization.k8s.io]
              resources: [roles]
              verbs: [escalate]
            - apiGroups: [rbac.authorization.k8s.io]
              resources: [clusterroles]
              resourceNames: [view]
              verbs: [bind]
            """);
        Assert.Equal(HttpStatusCode.Created, (await sa.Api.PostAsync(Roles, Role("more", """["get","list"]"""))).Status);
        Assert.Equal(HttpStatusCode.Created, (await sa.Api.PostAsync(Bindings, Binding("view", "ClusterRole", "view"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await sa.Api.PostAsync(Bindings, Binding("edit", "ClusterRole", "edit"))).Status);
    }
}
