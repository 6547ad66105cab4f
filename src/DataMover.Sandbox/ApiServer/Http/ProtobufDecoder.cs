using System.Text;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>
/// Decodes Kubernetes protobuf request bodies ("k8s\0" + runtime.Unknown) for the kinds kubectl's
/// typed generators send that way (create configmap/secret/namespace/serviceaccount). Other kinds
/// get 415, as a server that cannot decode the media type answers.
/// </summary>
internal static class ProtobufDecoder
{
    public const string MediaType = "application/vnd.kubernetes.protobuf";
    private static readonly byte[] Magic = "k8s\0"u8.ToArray();

    private static readonly Message TypeMeta = new() { [1] = F("apiVersion", Kind.String), [2] = F("kind", Kind.String) };
    private static readonly Message Unknown = new() { [1] = F("typeMeta", Kind.Message, TypeMeta), [2] = F("raw", Kind.Raw) };
    private static readonly Message Time = new() { [1] = F("seconds", Kind.Int), [2] = F("nanos", Kind.Int) };
    private static readonly Message OwnerReference = new()
    {
        [1] = F("kind", Kind.String), [3] = F("name", Kind.String), [4] = F("uid", Kind.String), [5] = F("apiVersion", Kind.String),
        [6] = F("controller", Kind.Bool), [7] = F("blockOwnerDeletion", Kind.Bool),
    };

    private static readonly Message ObjectMeta = new()
    {
        [1] = F("name", Kind.String), [2] = F("generateName", Kind.String), [3] = F("namespace", Kind.String), [5] = F("uid", Kind.String),
        [6] = F("resourceVersion", Kind.String), [7] = F("generation", Kind.Int), [8] = F("creationTimestamp", Kind.Time, Time),
        [10] = F("deletionGracePeriodSeconds", Kind.Int), [11] = F("labels", Kind.StringMap), [12] = F("annotations", Kind.StringMap),
        [13] = F("ownerReferences", Kind.RepeatedMessage, OwnerReference), [14] = F("finalizers", Kind.RepeatedString),
    };

    private static readonly Message LocalObjectReference = new() { [1] = F("name", Kind.String) };
    private static readonly Message ObjectReference = new()
    {
        [1] = F("kind", Kind.String), [2] = F("namespace", Kind.String), [3] = F("name", Kind.String), [4] = F("uid", Kind.String),
        [5] = F("apiVersion", Kind.String), [6] = F("resourceVersion", Kind.String), [7] = F("fieldPath", Kind.String),
    };

    private static readonly Message Container = new()
    {
        [1] = F("name", Kind.String), [2] = F("image", Kind.String), [3] = F("command", Kind.RepeatedString), [4] = F("args", Kind.RepeatedString),
        [5] = F("workingDir", Kind.String), [13] = F("terminationMessagePath", Kind.String), [14] = F("imagePullPolicy", Kind.String),
        [20] = F("terminationMessagePolicy", Kind.String),
    };

    private static readonly Message PodTemplateSpec = new()
    {
        [1] = F("metadata", Kind.Message, ObjectMeta),
        [2] = F("spec", Kind.Message, new Message
        {
            [2] = F("containers", Kind.RepeatedMessage, Container), [3] = F("restartPolicy", Kind.String), [4] = F("terminationGracePeriodSeconds", Kind.Int),
            [6] = F("dnsPolicy", Kind.String), [8] = F("serviceAccountName", Kind.String), [20] = F("initContainers", Kind.RepeatedMessage, Container),
        }),
    };

    private static readonly Message ResourceAttributes = new()
    {
        [1] = F("namespace", Kind.String), [2] = F("verb", Kind.String), [3] = F("group", Kind.String), [4] = F("version", Kind.String),
        [5] = F("resource", Kind.String), [6] = F("subresource", Kind.String), [7] = F("name", Kind.String),
    };

    private static readonly Message NonResourceAttributes = new() { [1] = F("path", Kind.String), [2] = F("verb", Kind.String) };

    private static readonly Message PolicyRule = new()
    {
        [1] = F("verbs", Kind.RepeatedString), [2] = F("apiGroups", Kind.RepeatedString), [3] = F("resources", Kind.RepeatedString),
        [4] = F("resourceNames", Kind.RepeatedString), [5] = F("nonResourceURLs", Kind.RepeatedString),
    };

    private static readonly Message Binding = new()
    {
        [1] = F("metadata", Kind.Message, ObjectMeta),
        [2] = F("subjects", Kind.RepeatedMessage, new Message { [1] = F("kind", Kind.String), [2] = F("apiGroup", Kind.String), [3] = F("name", Kind.String), [4] = F("namespace", Kind.String) }),
        [3] = F("roleRef", Kind.Message, new Message { [1] = F("apiGroup", Kind.String), [2] = F("kind", Kind.String), [3] = F("name", Kind.String) }),
    };

    private static readonly Dictionary<string, Message> Kinds = new(StringComparer.Ordinal)
    {
        ["ConfigMap"] = new() { [1] = F("metadata", Kind.Message, ObjectMeta), [2] = F("data", Kind.StringMap), [3] = F("binaryData", Kind.BytesMap), [4] = F("immutable", Kind.Bool) },
        ["Secret"] = new() { [1] = F("metadata", Kind.Message, ObjectMeta), [2] = F("data", Kind.BytesMap), [3] = F("type", Kind.String), [4] = F("stringData", Kind.StringMap), [5] = F("immutable", Kind.Bool) },
        ["Namespace"] = new() { [1] = F("metadata", Kind.Message, ObjectMeta), [2] = F("spec", Kind.Message, new Message { [1] = F("finalizers", Kind.RepeatedString) }) },
        ["SelfSubjectAccessReview"] = new()
        {
            [1] = F("metadata", Kind.Message, ObjectMeta),
            [2] = F("spec", Kind.Message, new Message { [1] = F("resourceAttributes", Kind.Message, ResourceAttributes), [2] = F("nonResourceAttributes", Kind.Message, NonResourceAttributes) }),
        },
        ["SubjectAccessReview"] = new()
        {
            [1] = F("metadata", Kind.Message, ObjectMeta),
            [2] = F("spec", Kind.Message, new Message
            {
                [1] = F("resourceAttributes", Kind.Message, ResourceAttributes), [2] = F("nonResourceAttributes", Kind.Message, NonResourceAttributes),
                [3] = F("user", Kind.String), [4] = F("groups", Kind.RepeatedString), [6] = F("uid", Kind.String),
            }),
        },
        ["SelfSubjectRulesReview"] = new() { [1] = F("metadata", Kind.Message, ObjectMeta), [2] = F("spec", Kind.Message, new Message { [1] = F("namespace", Kind.String) }) },
        ["SelfSubjectReview"] = new() { [1] = F("metadata", Kind.Message, ObjectMeta) },
        ["TokenRequest"] = new()
        {
            [1] = F("metadata", Kind.Message, ObjectMeta),
            [2] = F("spec", Kind.Message, new Message
            {
                [1] = F("audiences", Kind.RepeatedString), [4] = F("expirationSeconds", Kind.Int),
                [3] = F("boundObjectRef", Kind.Message, new Message { [1] = F("kind", Kind.String), [2] = F("apiVersion", Kind.String), [3] = F("name", Kind.String), [4] = F("uid", Kind.String) }),
            }),
        },
        ["Role"] = new() { [1] = F("metadata", Kind.Message, ObjectMeta), [2] = F("rules", Kind.RepeatedMessage, PolicyRule) },
        ["ClusterRole"] = new()
        {
            [1] = F("metadata", Kind.Message, ObjectMeta), [2] = F("rules", Kind.RepeatedMessage, PolicyRule),
            [3] = F("aggregationRule", Kind.Message, new Message { [1] = F("clusterRoleSelectors", Kind.RepeatedMessage, new Message { [1] = F("matchLabels", Kind.StringMap) }) }),
        },
        ["RoleBinding"] = Binding,
        ["ClusterRoleBinding"] = Binding,
        // kubectl create job --image: the fields its generator sets.
        ["Job"] = new()
        {
            [1] = F("metadata", Kind.Message, ObjectMeta),
            [2] = F("spec", Kind.Message, new Message
            {
                [1] = F("parallelism", Kind.Int), [2] = F("completions", Kind.Int), [3] = F("activeDeadlineSeconds", Kind.Int),
                [6] = F("template", Kind.Message, PodTemplateSpec), [7] = F("backoffLimit", Kind.Int), [8] = F("ttlSecondsAfterFinished", Kind.Int),
            }),
        },
        ["ServiceAccount"] = new()
        {
            [1] = F("metadata", Kind.Message, ObjectMeta), [2] = F("secrets", Kind.RepeatedMessage, ObjectReference),
            [3] = F("imagePullSecrets", Kind.RepeatedMessage, LocalObjectReference), [4] = F("automountServiceAccountToken", Kind.Bool),
        },
    };

    private enum Kind
    {
        String,
        Raw,
        Bool,
        Int,
        Message,
        Time,
        StringMap,
        BytesMap,
        RepeatedString,
        RepeatedMessage,
    }

    public static JsonObject Decode(byte[] body, ResourceType type) => Decode(body, type.Kind, type.ApiVersion);

    public static JsonObject Decode(byte[] body, string kind, string apiVersion)
    {
        if (body.Length < 4 || !body.AsSpan(0, 4).SequenceEqual(Magic) || !Kinds.TryGetValue(kind, out var message))
        {
            throw Unsupported();
        }

        try
        {
            var envelope = Read(body.AsSpan(4), Unknown, out var raw);
            var obj = Read(raw, message, out _);
            obj["apiVersion"] = JsonPaths.Str(envelope, "typeMeta", "apiVersion") ?? apiVersion;
            obj["kind"] = JsonPaths.Str(envelope, "typeMeta", "kind") ?? kind;
            return obj;
        }
        catch (Exception ex) when (ex is IndexOutOfRangeException or ArgumentOutOfRangeException or FormatException)
        {
            throw ApiException.BadRequest($"unable to decode protobuf body: {ex.Message}");
        }
    }

    public static ApiException Unsupported() =>
        ApiException.UnsupportedMediaType(MediaType, ["application/json", "application/yaml"]);

    private static Field F(string name, Kind kind, Message? message = null) => new(name, kind, message);

    private static JsonObject Read(ReadOnlySpan<byte> data, Message message, out byte[] raw)
    {
        raw = [];
        var obj = new JsonObject();
        var pos = 0;
        while (pos < data.Length)
        {
            var key = Varint(data, ref pos);
            var number = (int)(key >> 3);
            var wire = (int)(key & 7);
            ReadOnlySpan<byte> chunk = default;
            ulong scalar = 0;
            switch (wire)
            {
                case 0:
                    scalar = Varint(data, ref pos);
                    break;
                case 1:
                    pos += 8;
                    break;
                case 2:
                    var length = (int)Varint(data, ref pos);
                    chunk = data.Slice(pos, length);
                    pos += length;
                    break;
                case 5:
                    pos += 4;
                    break;
                default:
                    throw new FormatException($"unsupported wire type {wire}");
            }

            if (!message.TryGetValue(number, out var field))
            {
                continue;
            }

            switch (field.Kind)
            {
                case Kind.String when chunk.Length > 0:
                    // gogo-protobuf writes empty strings; in Go they mean "unset".
                    obj[field.Name] = Encoding.UTF8.GetString(chunk);
                    break;
                case Kind.String:
                    break;
                case Kind.Raw:
                    raw = chunk.ToArray();
                    break;
                case Kind.Bool:
                    obj[field.Name] = scalar != 0;
                    break;
                case Kind.Int when scalar != 0:
                    obj[field.Name] = (long)scalar;
                    break;
                case Kind.Int:
                    break;
                case Kind.Message:
                    obj[field.Name] = Read(chunk, field.Message!, out _);
                    break;
                case Kind.Time:
                    // Go's zero time (empty or year-1 timestamp) is null in JSON.
                    var seconds = JsonPaths.Long(Read(chunk, Time, out _), "seconds") ?? 0;
                    obj[field.Name] = seconds <= 0 ? null : JsonPaths.Timestamp(DateTimeOffset.FromUnixTimeSeconds(seconds));
                    break;
                case Kind.StringMap or Kind.BytesMap:
                    var map = obj[field.Name] as JsonObject ?? [];
                    var entry = MapEntry(chunk, field.Kind == Kind.BytesMap);
                    map[entry.Key] = entry.Value;
                    obj[field.Name] = map;
                    break;
                case Kind.RepeatedString:
                    var strings = obj[field.Name] as JsonArray ?? [];
                    strings.Add(Encoding.UTF8.GetString(chunk));
                    obj[field.Name] = strings;
                    break;
                case Kind.RepeatedMessage:
                    var items = obj[field.Name] as JsonArray ?? [];
                    items.Add(Read(chunk, field.Message!, out _));
                    obj[field.Name] = items;
                    break;
            }
        }

        return obj;
    }

    private static (string Key, string Value) MapEntry(ReadOnlySpan<byte> data, bool bytesValue)
    {
        var pos = 0;
        string key = "", value = "";
        while (pos < data.Length)
        {
            var tag = Varint(data, ref pos);
            var length = (int)Varint(data, ref pos);
            var chunk = data.Slice(pos, length);
            pos += length;
            if (tag >> 3 == 1)
            {
                key = Encoding.UTF8.GetString(chunk);
            }
            else
            {
                value = bytesValue ? Convert.ToBase64String(chunk) : Encoding.UTF8.GetString(chunk);
            }
        }

        return (key, value);
    }

    private static ulong Varint(ReadOnlySpan<byte> data, ref int pos)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            var b = data[pos++];
            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }

            shift += 7;
        }
    }

    private sealed record Field(string Name, Kind Kind, Message? Message);

    private sealed class Message : Dictionary<int, Field>;
}
