namespace DataMover.Sandbox.ApiServer.Http;

/// <summary>A resource request decomposed like the apiserver's RequestInfo.</summary>
internal sealed record ApiRequest(
    string Verb,
    ResourceType Type,
    string? Namespace,
    string? Name,
    string? Subresource);
