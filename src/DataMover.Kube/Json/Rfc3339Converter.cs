using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataMover.Kube.Json;

/// <summary>
/// metav1.Time: RFC 3339 with second precision in UTC ("2024-08-06T14:30:52Z"), as the API server writes it.
/// Reading accepts any RFC 3339 offset and fraction.
/// </summary>
public sealed class Rfc3339Converter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(Format(value));

    /// <summary>The wire form of a metav1.Time.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
