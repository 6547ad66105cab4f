using System.Runtime.Versioning;
using System.Text;
using DataMover.EndToEnd.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace DataMover.EndToEnd.Tests.Mover;

/// <summary>
/// Every Secret in deploy/samples passes the mover's own configuration checks as written: run through
/// mover/entrypoint.sh, it may fail to reach the sample's (fictional) endpoint, but never with a configuration error.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SampleSecretTests : IDisposable
{
    private const int ExitConfig = 2;
    private readonly string _scratch = Directory.CreateTempSubdirectory("datamover-sample-secret-").FullName;

    public static TheoryData<string, string> SampleSecrets()
    {
        var data = new TheoryData<string, string>();
        foreach (var file in Directory.GetFiles(Path.Combine(RepoPaths.Root, "deploy", "samples"), "*.yaml").Order(StringComparer.Ordinal))
        {
            foreach (var secret in Secrets(file).Keys)
            {
                data.Add(Path.GetFileName(file), secret);
            }
        }

        return data;
    }

    [Fact]
    public void The_samples_hold_a_storage_Secret()
    {
        Assert.NotEmpty(SampleSecrets());
    }

    [Theory]
    [MemberData(nameof(SampleSecrets))]
    public async Task A_sample_Secret_passes_the_movers_configuration_checks(string file, string secretName)
    {
        var keys = Secrets(Path.Combine(RepoPaths.Root, "deploy", "samples", file))[secretName];
        var data = Directory.CreateDirectory(Path.Combine(_scratch, "data")).FullName;
        var environment = keys.ToDictionary(k => "DATAMOVER_SECRET_" + k.Key, k => k.Value, StringComparer.Ordinal);

        var result = await MoverRunner.RunAsync(data, environment);

        Assert.True(result.ExitCode != ExitConfig, $"{file}, Secret {secretName}: {result.TerminationMessage}");
        Assert.DoesNotContain("must be", result.TerminationMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("missing required variable", result.TerminationMessage, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    /// <summary>Secret name to its keys (stringData as written, data decoded), per YAML document of the file.</summary>
    private static Dictionary<string, Dictionary<string, string>> Secrets(string file)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(file))
        {
            stream.Load(reader);
        }

        var secrets = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is not YamlMappingNode root || Scalar(root, "kind") != "Secret")
            {
                continue;
            }

            var name = Scalar((YamlMappingNode)root.Children[new YamlScalarNode("metadata")], "name")!;
            var keys = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.Children.TryGetValue(new YamlScalarNode("data"), out var encoded))
            {
                foreach (var (key, value) in ((YamlMappingNode)encoded).Children)
                {
                    keys[((YamlScalarNode)key).Value!] = Encoding.UTF8.GetString(Convert.FromBase64String(((YamlScalarNode)value).Value!));
                }
            }

            if (root.Children.TryGetValue(new YamlScalarNode("stringData"), out var plain))
            {
                foreach (var (key, value) in ((YamlMappingNode)plain).Children)
                {
                    keys[((YamlScalarNode)key).Value!] = ((YamlScalarNode)value).Value!;
                }
            }

            secrets[name] = keys;
        }

        return secrets;
    }

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) ? (value as YamlScalarNode)?.Value : null;
}
