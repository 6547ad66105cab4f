using YamlDotNet.RepresentationModel;

namespace DataMover.Operator.Tests.Unit;

/// <summary>deploy/rbac as shipped: no Secret access, no wildcard, the Lease only in the operator's namespace.</summary>
public sealed class RbacManifestTests
{
    private static IReadOnlyList<YamlMappingNode> Documents()
    {
        var dir = Sandbox.SandboxFixture.RepoFile("deploy/rbac");
        var docs = new List<YamlMappingNode>();
        foreach (var file in Directory.GetFiles(dir, "*.yaml").Where(f => !f.EndsWith("kustomization.yaml", StringComparison.Ordinal)))
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(file)));
            docs.AddRange(stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>());
        }

        return docs;
    }

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value ?? "" : "";

    private static IEnumerable<(string Kind, string Name, YamlMappingNode Rule)> Rules() =>
        from doc in Documents()
        where doc.Children.ContainsKey(new YamlScalarNode("rules"))
        from rule in ((YamlSequenceNode)doc.Children[new YamlScalarNode("rules")]).Children.OfType<YamlMappingNode>()
        select (Scalar(doc, "kind"), Scalar((YamlMappingNode)doc.Children[new YamlScalarNode("metadata")], "name"), rule);

    private static IReadOnlyList<string> List(YamlMappingNode rule, string key) =>
        rule.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlSequenceNode seq
            ? [.. seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "")]
            : [];

    [Fact]
    public void NoRuleGrantsSecretsOrWildcards()
    {
        var rules = Rules().ToList();
        Assert.NotEmpty(rules);
        foreach (var (kind, name, rule) in rules)
        {
            var what = $"{kind} {name}";
            Assert.DoesNotContain("secrets", List(rule, "resources"));
            Assert.DoesNotContain("*", List(rule, "resources"));
            Assert.DoesNotContain("*", List(rule, "verbs"));
            Assert.DoesNotContain("*", List(rule, "apiGroups"));
            Assert.True(List(rule, "verbs").Count > 0, what);
            Assert.Empty(List(rule, "nonResourceURLs"));
        }
    }

    [Fact]
    public void LeasesOnlyInANamespacedRole()
    {
        foreach (var (kind, name, rule) in Rules().Where(r => List(r.Rule, "resources").Contains("leases")))
        {
            Assert.True(kind == "Role", $"{kind} {name} grants leases");
        }

        var role = Assert.Single(Documents(), d => Scalar(d, "kind") == "Role");
        Assert.Equal("datamover-operator-system", Scalar((YamlMappingNode)role.Children[new YamlScalarNode("metadata")], "namespace"));
    }

    [Fact]
    public void OwnersWithBlockOwnerDeletionGetFinalizers()
    {
        var finalizers = Rules().Where(r => r.Name == "datamover-operator-manager-role").SelectMany(r => List(r.Rule, "resources")).ToHashSet();
        Assert.Contains("datamovers/finalizers", finalizers);
        Assert.Contains("datamoverschedules/finalizers", finalizers);
        Assert.Contains("serviceaccounts", finalizers);
    }

    [Theory]
    [InlineData("datamover-view", "aggregate-to-view", "get,list,watch")]
    [InlineData("datamover-edit", "aggregate-to-edit", "get,list,watch,create,update,patch,delete,deletecollection")]
    [InlineData("datamover-admin", "aggregate-to-admin", "get,list,watch,create,update,patch,delete,deletecollection")]
    public void AggregatedRolesForNamespaceUsers(string name, string label, string verbs)
    {
        var role = Assert.Single(Documents(), d => Scalar(d, "kind") == "ClusterRole" && Scalar((YamlMappingNode)d.Children[new YamlScalarNode("metadata")], "name") == name);
        var labels = (YamlMappingNode)((YamlMappingNode)role.Children[new YamlScalarNode("metadata")]).Children[new YamlScalarNode("labels")];
        Assert.Equal("true", Scalar(labels, "rbac.authorization.k8s.io/" + label));
        var rule = Assert.Single(Rules(), r => r.Name == name).Rule;
        Assert.Equal(["datamovers", "datamoverschedules", "datamoverrestores"], List(rule, "resources"));
        Assert.Equal(verbs.Split(','), List(rule, "verbs"));
    }
}
