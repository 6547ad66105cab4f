namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>OpenAPI endpoints. Not modelled yet: answers 404 as an apiserver without OpenAPI would.</summary>
internal sealed class OpenApiDocuments
{
    public Task WriteV2Async(HttpContext context) => HttpIo.WriteErrorAsync(context, ApiException.PathNotFound());

    public Task WriteV3RootAsync(HttpContext context) => HttpIo.WriteErrorAsync(context, ApiException.PathNotFound());

    public Task WriteV3Async(HttpContext context, string path) => HttpIo.WriteErrorAsync(context, ApiException.PathNotFound());
}
