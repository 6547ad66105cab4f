namespace DataMover.Sandbox.ApiServer.Auth;

/// <summary>Allow or no opinion, with the reason text an authorizer gives (shown in Forbidden messages and reviews).</summary>
internal readonly record struct AuthorizationDecision(bool Allowed, string Reason);
