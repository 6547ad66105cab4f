using System.Text.Json.Nodes;

namespace DataMover.Sandbox.ApiServer;

/// <summary>One validation failure, rendered like k8s.io/apimachinery/pkg/util/validation/field.Error.</summary>
internal sealed record FieldError(string Type, string Field, string? BadValue, string Detail)
{
    public static FieldError Required(string field, string detail = "") => new("FieldValueRequired", field, null, detail);

    public static FieldError Invalid(string field, JsonNode? value, string detail) => new("FieldValueInvalid", field, JsonPaths.Describe(value), detail);

    public static FieldError InvalidRaw(string field, string renderedValue, string detail) => new("FieldValueInvalid", field, renderedValue, detail);

    /// <summary>field.Invalid with field.OmitValueType: the message names no value.</summary>
    public static FieldError InvalidOmitted(string field, string detail) => new("FieldValueInvalid", field, null, detail);

    public static FieldError NotSupported(string field, JsonNode? value, IEnumerable<string> supported) =>
        new("FieldValueNotSupported", field, JsonPaths.Describe(value), "supported values: " + string.Join(", ", supported.Select(JsonPaths.Quote)));

    public static FieldError Forbidden(string field, string detail) => new("FieldValueForbidden", field, null, detail);

    public static FieldError TooLong(string field, string detail) => new("FieldValueTooLong", field, null, detail);

    public static FieldError TooMany(string field, int actual, int max) => new("FieldValueTooMany", field, actual.ToString(System.Globalization.CultureInfo.InvariantCulture), $"must have at most {max} items");

    public static FieldError Duplicate(string field, JsonNode? value) => new("FieldValueDuplicate", field, JsonPaths.Describe(value), "");

    public static FieldError NotFound(string field, JsonNode? value) => new("FieldValueNotFound", field, JsonPaths.Describe(value), "");

    public static FieldError Immutable(string field, JsonNode? value) => Invalid(field, value, "field is immutable");

    /// <summary>The part after "field: ", which the API puts into a cause's message.</summary>
    public string Body => Type switch
    {
        "FieldValueRequired" => Detail.Length == 0 ? "Required value" : "Required value: " + Detail,
        "FieldValueInvalid" when BadValue is null => Detail.Length == 0 ? "Invalid value" : "Invalid value: " + Detail,
        "FieldValueInvalid" => Detail.Length == 0 ? $"Invalid value: {BadValue}" : $"Invalid value: {BadValue}: {Detail}",
        "FieldValueNotSupported" => $"Unsupported value: {BadValue}: {Detail}",
        "FieldValueForbidden" => Detail.Length == 0 ? "Forbidden" : "Forbidden: " + Detail,
        "FieldValueTooLong" => "Too long: " + Detail,
        "FieldValueTooMany" => $"Too many: {BadValue}: {Detail}",
        "FieldValueDuplicate" => $"Duplicate value: {BadValue}",
        "FieldValueNotFound" => $"Not found: {BadValue}",
        _ => Detail,
    };

    public override string ToString() => Field.Length == 0 ? Body : $"{Field}: {Body}";
}
