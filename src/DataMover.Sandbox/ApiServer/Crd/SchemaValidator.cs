using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DataMover.Sandbox.ApiServer.Crd;

/// <summary>
/// Validates a custom resource against its structural openAPIV3Schema, including
/// x-kubernetes-validations (CEL subset, transition rules against the old object),
/// producing the same field paths and messages as the apiextensions server.
/// </summary>
internal sealed partial class SchemaValidator
{
    private readonly ILogger _logger;

    public SchemaValidator(ILogger logger) => _logger = logger;

    public void Validate(JsonObject obj, JsonObject? old, JsonObject schema, List<FieldError> errors)
    {
        // metadata, apiVersion and kind are validated generically; the schema covers the rest.
        var properties = schema["properties"] as JsonObject;
        foreach (var (key, value) in obj)
        {
            if (key is "metadata" or "apiVersion" or "kind")
            {
                continue;
            }

            if (properties?[key] is JsonObject propSchema)
            {
                Walk(value, old?[key], old is not null && old.ContainsKey(key), propSchema, key, errors);
            }
        }

        foreach (var required in RequiredOf(schema))
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add(FieldError.Required(required));
            }
        }

        RunRules(obj, old, old is not null, schema, "", errors);
    }

    private void Walk(JsonNode? value, JsonNode? old, bool hasOld, JsonObject schema, string path, List<FieldError> errors)
    {
        if (value is null)
        {
            if (JsonPaths.Bool(schema, "nullable") != true)
            {
                var expected = JsonPaths.Str(schema, "type");
                if (expected is not null)
                {
                    errors.Add(FieldError.InvalidRaw(path, "\"null\"", $"{path} in body must be of type {expected}: \"null\""));
                }
            }

            return;
        }

        if (!CheckType(value, schema, path, errors))
        {
            return;
        }

        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add(FieldError.NotSupported(path, value, allowed.Select(a => a is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : a?.ToJsonString() ?? "null")));
        }

        switch (value)
        {
            case JsonObject obj:
                WalkObject(obj, old as JsonObject, hasOld, schema, path, errors);
                break;
            case JsonArray arr:
                WalkArray(arr, old as JsonArray, schema, path, errors);
                break;
            case JsonValue v:
                CheckScalar(v, schema, path, errors);
                break;
        }

        RunRules(value, old, hasOld, schema, path, errors);
    }

    private void WalkObject(JsonObject obj, JsonObject? old, bool hasOld, JsonObject schema, string path, List<FieldError> errors)
    {
        var properties = schema["properties"] as JsonObject;
        var additional = schema["additionalProperties"] as JsonObject;
        foreach (var (key, child) in obj)
        {
            if (properties?[key] is JsonObject propSchema)
            {
                Walk(child, old?[key], hasOld && old is not null && old.ContainsKey(key), propSchema, $"{path}.{key}", errors);
            }
            else if (additional is not null)
            {
                Walk(child, old?[key], hasOld && old is not null && old.ContainsKey(key), additional, $"{path}[{key}]", errors);
            }
        }

        foreach (var required in RequiredOf(schema))
        {
            if (!obj.ContainsKey(required))
            {
                errors.Add(FieldError.Required($"{path}.{required}"));
            }
        }

        if (JsonPaths.Long(schema, "maxProperties") is { } maxProps && obj.Count > maxProps)
        {
            errors.Add(FieldError.TooMany(path, obj.Count, (int)maxProps));
        }

        if (JsonPaths.Long(schema, "minProperties") is { } minProps && obj.Count < minProps)
        {
            errors.Add(FieldError.InvalidRaw(path, obj.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {minProps} properties"));
        }
    }

    private void WalkArray(JsonArray arr, JsonArray? old, JsonObject schema, string path, List<FieldError> errors)
    {
        if (JsonPaths.Long(schema, "maxItems") is { } max && arr.Count > max)
        {
            errors.Add(FieldError.TooMany(path, arr.Count, (int)max));
        }

        if (JsonPaths.Long(schema, "minItems") is { } min && arr.Count < min)
        {
            errors.Add(FieldError.InvalidRaw(path, arr.Count.ToString(CultureInfo.InvariantCulture), $"{path} in body should have at least {min} items"));
        }

        if (JsonPaths.Bool(schema, "uniqueItems") == true || JsonPaths.Str(schema, "x-kubernetes-list-type") == "set")
        {
            for (var i = 0; i < arr.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (JsonNode.DeepEquals(arr[i], arr[j]))
                    {
                        errors.Add(FieldError.Duplicate($"{path}[{i}]", arr[i]));
                    }
                }
            }
        }

        ListMapKeys.Check(arr, schema, path, errors);
        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < arr.Count; i++)
            {
                // Transition rules under lists only correlate for map lists; positional correlation is the common case.
                var oldItem = old is not null && i < old.Count ? old[i] : null;
                Walk(arr[i], oldItem, old is not null && i < old.Count, items, $"{path}[{i}]", errors);
            }
        }
    }

    private static bool CheckType(JsonNode value, JsonObject schema, string path, List<FieldError> errors)
    {
        var expected = JsonPaths.Str(schema, "type");
        var actual = JsonPaths.TypeName(value);
        if (JsonPaths.Bool(schema, "x-kubernetes-int-or-string") == true)
        {
            if (actual is "integer" or "string")
            {
                return true;
            }

            errors.Add(FieldError.InvalidRaw(path, JsonPaths.Quote(actual), $"{path} in body must be of type integer,string: {JsonPaths.Quote(actual)}"));
            return false;
        }

        if (expected is null || expected == actual || (expected == "number" && actual == "integer"))
        {
            return true;
        }

        errors.Add(FieldError.InvalidRaw(path, JsonPaths.Quote(actual), $"{path} in body must be of type {expected}: {JsonPaths.Quote(actual)}"));
        return false;
    }

    private static void CheckScalar(JsonValue v, JsonObject schema, string path, List<FieldError> errors)
    {
        var raw = v.ToJsonString();
        if (v.GetValueKind() == JsonValueKind.String)
        {
            var s = v.GetValue<string>();
            if (JsonPaths.Long(schema, "maxLength") is { } maxLen && s.Length > maxLen)
            {
                errors.Add(FieldError.TooLong(path, $"may not be more than {maxLen} {(maxLen == 1 ? "byte" : "bytes")}"));
            }

            if (JsonPaths.Long(schema, "minLength") is { } minLen && s.Length < minLen)
            {
                errors.Add(FieldError.InvalidRaw(path, raw, $"{path} in body should be at least {minLen} chars long"));
            }

            if (JsonPaths.Str(schema, "pattern") is { } pattern && !Regex.IsMatch(s, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                errors.Add(FieldError.InvalidRaw(path, raw, $"{path} in body should match '{pattern}'"));
            }

            CheckStringFormat(s, raw, JsonPaths.Str(schema, "format"), path, errors);
            return;
        }

        if (v.GetValueKind() != JsonValueKind.Number)
        {
            return;
        }

        JsonPaths.TryDouble(v, out var number);
        var format = JsonPaths.Str(schema, "format");
        if (format == "int32" && (number > int.MaxValue || number < int.MinValue))
        {
            errors.Add(FieldError.InvalidRaw(path, raw, $"{path} in body must be of type int32: \"{raw}\""));
        }

        if (JsonPaths.Node(schema, "minimum") is JsonValue minNode)
        {
            JsonPaths.TryDouble(minNode, out var min);
            var exclusive = JsonPaths.Bool(schema, "exclusiveMinimum") == true;
            if (exclusive ? number <= min : number < min)
            {
                errors.Add(FieldError.InvalidRaw(path, raw, $"{path} in body should be greater than {(exclusive ? "" : "or equal to ")}{minNode.ToJsonString()}"));
            }
        }

        if (JsonPaths.Node(schema, "maximum") is JsonValue maxNode)
        {
            JsonPaths.TryDouble(maxNode, out var max);
            var exclusive = JsonPaths.Bool(schema, "exclusiveMaximum") == true;
            if (exclusive ? number >= max : number > max)
            {
                errors.Add(FieldError.InvalidRaw(path, raw, $"{path} in body should be less than {(exclusive ? "" : "or equal to ")}{maxNode.ToJsonString()}"));
            }
        }

        if (JsonPaths.Node(schema, "multipleOf") is JsonValue multipleNode)
        {
            JsonPaths.TryDouble(multipleNode, out var multiple);
            if (multiple > 0 && Math.Abs(Math.IEEERemainder(number, multiple)) > 1e-9)
            {
                errors.Add(FieldError.InvalidRaw(path, raw, $"{path} in body should be a multiple of {multipleNode.ToJsonString()}"));
            }
        }
    }

    private static void CheckStringFormat(string s, string raw, string? format, string path, List<FieldError> errors)
    {
        var ok = format switch
        {
            "date-time" => DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "date" => DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
            "uuid" => Guid.TryParse(s, out _),
            "byte" => IsBase64(s),
            "int-or-string" => true,
            _ => true,
        };
        if (!ok)
        {
            errors.Add(FieldError.InvalidRaw(path, raw, $"{path} in body must be of type {format}: {raw}"));
        }
    }

    private static bool IsBase64(string s)
    {
        var buffer = new byte[s.Length];
        return Convert.TryFromBase64String(s, buffer, out _);
    }

    private static IEnumerable<string> RequiredOf(JsonObject schema) =>
        (schema["required"] as JsonArray ?? []).Select(r => r?.GetValue<string>() ?? "").Where(r => r.Length > 0);

    private void RunRules(JsonNode? value, JsonNode? old, bool hasOld, JsonObject schema, string path, List<FieldError> errors)
    {
        if (schema["x-kubernetes-validations"] is not JsonArray rules)
        {
            return;
        }

        foreach (var rule in rules.OfType<JsonObject>())
        {
            var text = JsonPaths.Str(rule, "rule") ?? "";
            CelProgram program;
            try
            {
                program = CelProgram.Compile(text);
            }
            catch (CelException ex)
            {
                LogUnsupportedRule(_logger, text, ex.Message);
                continue;
            }

            if (program.UsesOldSelf && !hasOld)
            {
                continue;
            }

            var field = path;
            if (JsonPaths.Str(rule, "fieldPath") is { Length: > 0 } fieldPath)
            {
                field = path.Length == 0 ? fieldPath.TrimStart('.') : path + fieldPath;
            }

            string? failure;
            try
            {
                failure = program.Evaluate(value, old) ? null : JsonPaths.Str(rule, "message") ?? $"failed rule: {text}";
            }
            catch (CelException ex)
            {
                failure = $"{ex.Message} evaluating rule: {text}";
            }

            if (failure is null)
            {
                continue;
            }

            errors.Add(JsonPaths.Str(rule, "reason") switch
            {
                "FieldValueForbidden" => FieldError.Forbidden(field, failure),
                "FieldValueRequired" => FieldError.Required(field, failure),
                "FieldValueDuplicate" => FieldError.Duplicate(field, value),
                _ => FieldError.InvalidRaw(field, JsonPaths.Quote(JsonPaths.TypeName(value)), failure),
            });
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ignoring x-kubernetes-validations rule the sandbox cannot evaluate: {Rule} ({Reason})")]
    private static partial void LogUnsupportedRule(ILogger logger, string rule, string reason);
}
