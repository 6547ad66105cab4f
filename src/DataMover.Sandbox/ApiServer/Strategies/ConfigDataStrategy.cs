using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DataMover.Sandbox.ApiServer.Strategies;

/// <summary>ConfigMaps and Secrets: key syntax, size limit, the `immutable` flag; Secrets add type and stringData.</summary>
internal sealed partial class ConfigDataStrategy : ResourceStrategy
{
    private const int MaxSize = 1024 * 1024;
    private const string KeyMessage = "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
    private readonly bool _secret;

    public ConfigDataStrategy(bool secret) => _secret = secret;

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    public override void PrepareForCreate(ResourceType type, JsonObject obj) => Normalize(obj);

    public override void PrepareForUpdate(ResourceType type, JsonObject obj, JsonObject old) => Normalize(obj);

    public override void Validate(ResourceType type, JsonObject obj, List<FieldError> errors)
    {
        var size = 0;
        foreach (var field in _secret ? new[] { "data" } : ["data", "binaryData"])
        {
            if (obj[field] is not JsonObject map)
            {
                continue;
            }

            foreach (var (key, value) in map)
            {
                if (!ConfigKey().IsMatch(key) || key is "." or "..")
                {
                    errors.Add(FieldError.Invalid($"{field}[{key}]", JsonValue.Create(key), KeyMessage));
                }

                var text = value?.GetValue<string>() ?? "";
                if (_secret || field == "binaryData")
                {
                    try
                    {
                        size += Convert.FromBase64String(text).Length;
                    }
                    catch (FormatException)
                    {
                        throw ApiException.BadRequest($"{type.Kind} in version \"v1\" cannot be handled as a {type.Kind}: illegal base64 data at input byte 0");
                    }
                }
                else
                {
                    size += Encoding.UTF8.GetByteCount(text);
                }
            }
        }

        if (size > MaxSize)
        {
            errors.Add(FieldError.TooLong(_secret ? "data" : "", $"must have at most {MaxSize} bytes"));
        }
    }

    public override void ValidateUpdate(ResourceType type, JsonObject obj, JsonObject old, List<FieldError> errors)
    {
        Validate(type, obj, errors);
        if (_secret)
        {
            Immutable(obj, old, "type", errors, "type");
        }

        if (JsonPaths.Bool(old, "immutable") == true)
        {
            const string why = "field is immutable when `immutable` is set";
            if (JsonPaths.Bool(obj, "immutable") != true)
            {
                errors.Add(FieldError.Forbidden("immutable", why));
            }

            foreach (var field in _secret ? new[] { "data" } : ["data", "binaryData"])
            {
                if (!JsonNode.DeepEquals(obj[field], old[field]))
                {
                    errors.Add(FieldError.Forbidden(field, why));
                }
            }
        }
    }

    private void Normalize(JsonObject obj)
    {
        if (!_secret)
        {
            return;
        }

        JsonPaths.SetDefault(obj, "type", "Opaque");

        // stringData is write-only: merged into data (winning over it) and never stored.
        if (obj["stringData"] is JsonObject stringData)
        {
            var data = JsonPaths.Ensure(obj, "data");
            foreach (var (key, value) in stringData)
            {
                data[key] = Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
            }

            obj.Remove("stringData");
        }
    }
}
