using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using DataMover.Operator.Api;
using DataMover.Sandbox.ApiServer.Patching;

namespace DataMover.Operator.Tests.Unit;

/// <summary>
/// The hand-written CRDs and the C# API types agree field by field: each C# property (read from the
/// source-generated JSON contract, so nothing here lists fields by hand) is in the CRD schema with a
/// compatible type and the other way round, and every field of the schema has a description for
/// kubectl explain. The walk stops where the schema preserves unknown fields (acceptedSpec, say) and at
/// metadata, which the API server describes itself.
/// </summary>
public sealed class CrdSchemaTests
{
    public static TheoryData<string, string> Kinds => new()
    {
        { "deploy/crds/datamovers.yaml", "DataMover" },
        { "deploy/crds/datamoverschedules.yaml", "DataMoverSchedule" },
        { "deploy/crds/datamoverrestores.yaml", "DataMoverRestore" },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Crd_schema_and_api_type_have_the_same_fields_with_compatible_types(string crd, string kind)
    {
        var (schema, type) = Load(crd, kind);
        var problems = new List<string>();

        Compare(schema, type, "", problems);

        Assert.True(problems.Count == 0, $"{crd} and {type.Type.Name} disagree:\n" + string.Join('\n', problems));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_crd_field_has_a_description(string crd, string kind)
    {
        var (schema, _) = Load(crd, kind);
        var missing = new List<string>();

        Describe(schema, "", missing);

        Assert.True(missing.Count == 0, $"{crd}: no description for " + string.Join(", ", missing));
    }

    [Fact]
    public void The_comparison_notices_a_field_missing_on_either_side_and_a_wrong_type()
    {
        var (schema, type) = Load("deploy/crds/datamovers.yaml", "DataMover");
        var spec = (JsonObject)schema["properties"]!["spec"]!["properties"]!;
        spec.Remove("sourcePvc");
        spec["extra"] = new JsonObject { ["type"] = "string", ["description"] = "x" };
        spec["addTimestampPrefix"]!["type"] = "string";
        var condition = (JsonObject)schema["properties"]!["status"]!["properties"]!["conditions"]!["items"]!["properties"]!;
        condition.Remove("reason");
        var problems = new List<string>();

        Compare(schema, type, "", problems);

        Assert.Contains(".spec.sourcePvc: in DataMoverSpec, not in the CRD", problems);
        Assert.Contains(".spec.extra: in the CRD, not in DataMoverSpec", problems);
        Assert.Contains(".spec.addTimestampPrefix: the CRD says string, Boolean is boolean", problems);
        Assert.Contains(".status.conditions[].reason: in Condition, not in the CRD", problems);
        Assert.Equal(4, problems.Count);
    }

    private static (JsonObject Schema, JsonTypeInfo Type) Load(string crd, string kind)
    {
        var document = YamlJson.Parse(File.ReadAllText(Sandbox.SandboxFixture.RepoFile(crd)))!;
        Assert.Equal(kind, (string?)document["spec"]!["names"]!["kind"]);
        var version = Assert.Single(document["spec"]!["versions"]!.AsArray())!;
        var schema = (JsonObject)version["schema"]!["openAPIV3Schema"]!;
        JsonTypeInfo type = kind switch
        {
            "DataMover" => OperatorJsonContext.Default.DataMover,
            "DataMoverSchedule" => OperatorJsonContext.Default.DataMoverSchedule,
            _ => OperatorJsonContext.Default.DataMoverRestore,
        };
        return (schema, type);
    }

    private static void Compare(JsonObject schema, JsonTypeInfo type, string path, List<string> problems)
    {
        var expected = JsonTypeOf(type);
        var actual = (string?)schema["type"];
        if (schema["x-kubernetes-int-or-string"]?.GetValue<bool>() == true)
        {
            if (expected is not ("string" or "integer"))
            {
                problems.Add($"{path}: the CRD says int-or-string, {NameOf(type)} is {expected}");
            }

            return;
        }

        if (actual != expected)
        {
            problems.Add($"{path}: the CRD says {actual ?? "no type"}, {NameOf(type)} is {expected}");
            return;
        }

        if (type.Type == typeof(DateTimeOffset) && (string?)schema["format"] != "date-time")
        {
            problems.Add($"{path}: a time without format: date-time");
        }

        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true)
        {
            return;
        }

        switch (type.Kind)
        {
            case JsonTypeInfoKind.Enumerable when schema["items"] is JsonObject items:
                Compare(items, type.Options.GetTypeInfo(type.ElementType!), path + "[]", problems);
                break;
            case JsonTypeInfoKind.Enumerable:
                problems.Add($"{path}: an array without items");
                break;
            case JsonTypeInfoKind.Dictionary when schema["additionalProperties"] is JsonObject values:
                Compare(values, type.Options.GetTypeInfo(type.ElementType!), path + "{}", problems);
                break;
            case JsonTypeInfoKind.Object:
                CompareProperties(schema, type, path, problems);
                break;
        }
    }

    private static void CompareProperties(JsonObject schema, JsonTypeInfo type, string path, List<string> problems)
    {
        var crdProperties = schema["properties"] as JsonObject ?? [];
        var typeProperties = type.Properties.Where(p => !p.IsExtensionData).ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var (name, property) in typeProperties)
        {
            if (crdProperties[name] is not JsonObject crdProperty)
            {
                problems.Add($"{path}.{name}: in {type.Type.Name}, not in the CRD");
            }
            else if (path.Length == 0 && name == "metadata")
            {
                // The API server validates and describes ObjectMeta itself; CRDs declare it as a bare object.
                continue;
            }
            else
            {
                Compare(crdProperty, type.Options.GetTypeInfo(property.PropertyType), $"{path}.{name}", problems);
            }
        }

        foreach (var (name, _) in crdProperties)
        {
            if (!typeProperties.ContainsKey(name))
            {
                problems.Add($"{path}.{name}: in the CRD, not in {type.Type.Name}");
            }
        }
    }

    private static string NameOf(JsonTypeInfo type) => (Nullable.GetUnderlyingType(type.Type) ?? type.Type).Name;

    private static string JsonTypeOf(JsonTypeInfo type)
    {
        var clr = Nullable.GetUnderlyingType(type.Type) ?? type.Type;
        return type.Kind switch
        {
            JsonTypeInfoKind.Enumerable => "array",
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "object",
            _ when clr == typeof(bool) => "boolean",
            _ when clr == typeof(int) || clr == typeof(long) => "integer",
            _ when clr == typeof(double) || clr == typeof(float) || clr == typeof(decimal) => "number",
            _ => "string",
        };
    }

    private static void Describe(JsonObject schema, string path, List<string> missing)
    {
        if (string.IsNullOrWhiteSpace((string?)schema["description"]))
        {
            missing.Add(path.Length == 0 ? "the kind" : path);
        }

        if (schema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true)
        {
            return;
        }

        foreach (var (name, property) in schema["properties"] as JsonObject ?? [])
        {
            if (path.Length > 0 || name != "metadata")
            {
                Describe((JsonObject)property!, $"{path}.{name}", missing);
            }
        }

        if (schema["items"] is JsonObject items)
        {
            Describe(items, path + "[]", missing);
        }
    }
}
