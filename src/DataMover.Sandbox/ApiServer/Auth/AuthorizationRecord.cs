namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>One distinct authorization decision: who asked for which verb on which resource (or non-resource path), where, and the answer.</summary>
/// <param name="User">The authenticated (or impersonated) user name.</param>
/// <param name="Verb">get, list, watch, create, update, patch, delete, deletecollection, ...</param>
/// <param name="ApiGroup">The API group ("" for core and for non-resource requests).</param>
/// <param name="Resource">resource or resource/subresource; the path for non-resource requests.</param>
/// <param name="Namespace">The namespace, "" for cluster-scoped and all-namespace requests.</param>
/// <param name="Allowed">Whether it was allowed.</param>
public sealed record AuthorizationRecord(string User, string Verb, string ApiGroup, string Resource, string Namespace, bool Allowed);
