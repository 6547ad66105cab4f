using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataMover.Sandbox.ApiServer.Patching;

namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>Reading request bodies (JSON or YAML) and writing JSON responses.</summary>
internal static class HttpIo
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Indented = false,
        SkipValidation = true,

        // Like Go's encoder output closely enough for humans reading watch streams (\" rather than \u0022).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken ct)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(ct);
    }

    public static Task<JsonObject> ReadObjectAsync(HttpRequest request, ResourceType type, CancellationToken ct) =>
        ReadObjectAsync(request, type.Kind, type.ApiVersion, ct);

    public static async Task<JsonObject> ReadObjectAsync(HttpRequest request, string kind, string apiVersion, CancellationToken ct)
    {
        if (request.ContentType?.StartsWith(ProtobufDecoder.MediaType, StringComparison.Ordinal) == true)
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            return ProtobufDecoder.Decode(buffer.ToArray(), kind, apiVersion);
        }

        var text = await ReadTextAsync(request, ct);
        var node = Parse(text, request.ContentType);
        return node as JsonObject ?? throw ApiException.BadRequest("Object 'Kind' is missing in '" + Truncate(text) + "'");
    }

    public static JsonNode? Parse(string text, string? contentType)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (contentType is not null && contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase) && !text.TrimStart().StartsWith('{'))
        {
            return YamlJson.Parse(text);
        }

        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException ex)
        {
            throw ApiException.BadRequest($"couldn't get version/kind; json parse error: {ex.Message}");
        }
    }

    public static byte[] Serialize(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static async Task WriteJsonAsync(HttpContext context, int status, JsonNode node, IEnumerable<string>? warnings = null)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        foreach (var warning in warnings ?? [])
        {
            response.Headers.Append("Warning", $"299 - {JsonPaths.Quote(warning)}");
        }

        var bytes = Serialize(node);
        response.ContentLength = bytes.Length;
        await response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    /// <summary>HttpContext.Items key for warnings collected while handling a request.</summary>
    public const string WarningsKey = "sandbox.warnings";

    public static Task WriteErrorAsync(HttpContext context, ApiException error)
    {
        // Warnings (e.g. dropped unknown fields) accompany failures too, as the real server sends them.
        foreach (var warning in context.Items[WarningsKey] as List<string> ?? [])
        {
            context.Response.Headers.Append("Warning", $"299 - {JsonPaths.Quote(warning)}");
        }

        if (error.RetryAfterSeconds is { } retry)
        {
            context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return WriteJsonAsync(context, error.Code, error.ToStatus());
    }

    private static string Truncate(string text) => text.Length > 100 ? text[..100] : text;
}
