using System.Text;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>A parsed fieldSelector, restricted to the field labels each kind really supports.</summary>
internal sealed class FieldSelector
{
    private static readonly Dictionary<string, string[]> SupportedByKind = new(StringComparer.Ordinal)
    {
        ["/pods"] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName"],
        ["/events"] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        ["/secrets"] = ["type"],
        ["/namespaces"] = ["status.phase"],
        ["/nodes"] = ["spec.unschedulable"],
        ["/persistentvolumeclaims"] = [],
        ["batch/jobs"] = ["status.successful"],
    };

    private readonly List<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(List<(string, bool, string)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    /// <summary>The metadata.name this selector pins, so kubectl wait/delete watches stay cheap.</summary>
    public string? Name => _terms.FirstOrDefault(t => t.Field == "metadata.name" && t.Equal).Value;

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var terms = new List<(string, bool, string)>();
        foreach (var raw in SplitUnescaped(text, ','))
        {
            var part = raw.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var (field, equal, value) = SplitTerm(part);
            field = type.Group == "events.k8s.io" ? MapEventsField(field) : field;
            if (field is not ("metadata.name" or "metadata.namespace")
                && !(SupportedByKind.TryGetValue(type.Key, out var allowed) && allowed.Contains(field)))
            {
                throw type.IsCustom
                    ? ApiException.BadRequest($"\"{field}\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\"")
                    : ApiException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, equal, value));
        }

        return new FieldSelector(terms);
    }

    public bool Matches(JsonObject obj) => _terms.All(t => (Value(obj, t.Field) == t.Value) == t.Equal);

    private static string MapEventsField(string field) => field switch
    {
        _ when field.StartsWith("regarding.", StringComparison.Ordinal) => "involvedObject." + field["regarding.".Length..],
        "reportingController" => "reportingComponent",
        _ => field,
    };

    private static string Value(JsonObject obj, string field)
    {
        if (field == "source")
        {
            return JsonPaths.Str(obj, "source", "component") ?? "";
        }

        var node = JsonPaths.Node(obj, field.Split('.'));
        return node switch
        {
            null => field == "spec.unschedulable" || field == "spec.hostNetwork" ? "false" : "",
            JsonValue v when v.GetValueKind() == System.Text.Json.JsonValueKind.String => v.GetValue<string>(),
            _ => node.ToJsonString(),
        };
    }

    private static (string, bool, string) SplitTerm(string part)
    {
        foreach (var (op, equal) in new[] { ("!=", false), ("==", true), ("=", true) })
        {
            var idx = part.IndexOf(op, StringComparison.Ordinal);
            if (idx > 0)
            {
                return (part[..idx].Trim(), equal, Unescape(part[(idx + op.Length)..]));
            }
        }

        throw ApiException.BadRequest($"invalid selector: '{part}'; can't understand '{part}'");
    }

    private static IEnumerable<string> SplitUnescaped(string text, char separator)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 1 < text.Length)
            {
                sb.Append(text[i]).Append(text[i + 1]);
                i++;
            }
            else if (text[i] == separator)
            {
                yield return sb.ToString();
                sb.Clear();
            }
            else
            {
                sb.Append(text[i]);
            }
        }

        yield return sb.ToString();
    }

    private static string Unescape(string value)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
            }

            sb.Append(value[i]);
        }

        return sb.ToString();
    }
}
