using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace DataMover.Sandbox.Tests;

/// <summary>Thin JSON-over-HTTP helper for raw API tests.</summary>
public sealed class ApiClient : IDisposable
{
    public ApiClient(HttpClient http) => Http = http;

    public HttpClient Http { get; }

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, JsonNode? body = null, string contentType = "application/json", string? accept = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        }

        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var warnings = response.Headers.TryGetValues("Warning", out var w) ? w.ToList() : [];
        return new ApiResponse(response.StatusCode, text.Length > 0 && (text[0] == '{' || text[0] == '[') ? JsonNode.Parse(text) : null, text, warnings, response.Headers);
    }

    public Task<ApiResponse> GetAsync(string path, string? accept = null) => SendAsync(HttpMethod.Get, path, accept: accept);

    public Task<ApiResponse> PostAsync(string path, JsonNode body) => SendAsync(HttpMethod.Post, path, body);

    public Task<ApiResponse> PutAsync(string path, JsonNode body) => SendAsync(HttpMethod.Put, path, body);

    public Task<ApiResponse> PatchAsync(string path, JsonNode body, string contentType = "application/merge-patch+json") => SendAsync(HttpMethod.Patch, path, body, contentType);

    public Task<ApiResponse> DeleteAsync(string path, JsonNode? body = null) => SendAsync(HttpMethod.Delete, path, body);

    public async Task<JsonObject> CreateOkAsync(string path, JsonNode body)
    {
        var r = await PostAsync(path, body);
        Assert.True(r.Status == HttpStatusCode.Created, $"create {path}: {(int)r.Status} {r.Text}");
        return r.Object;
    }

    public static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    public void Dispose() => Http.Dispose();
}

public sealed record ApiResponse(HttpStatusCode Status, JsonNode? Json, string Text, List<string> Warnings, HttpResponseHeaders Headers)
{
    public JsonObject Object => Json as JsonObject ?? throw new InvalidOperationException("not an object: " + Text);

    public string? Str(params string[] path)
    {
        JsonNode? node = Json;
        foreach (var p in path)
        {
            node = node?[p];
        }

        return node?.ToString();
    }
}
